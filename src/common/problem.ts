/**
 * One problem with a user's input, as every API answer and form shows it:
 * the message, and where it is when it has a place (a form field, or a file
 * and line of an uploaded chart or YAML).
 */

export interface ProblemLocation {
  file?: string;
  line?: number;
}

export interface Problem extends ProblemLocation {
  field?: string;
  message: string;
}
