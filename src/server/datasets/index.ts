export * from "./datasets";
export {
  DATASET_FILE_FIELD,
  DATASET_TEXT_FIELDS,
  cleanFileName,
  datasetTooLarge,
  discardSpool,
  receiveDatasetUpload,
  type ReceivedUpload,
  type SpooledFile,
} from "./receive";
export {
  datasetStore,
  LocalDirectoryStore,
  ObjectStoreError,
  S3ObjectStore,
  s3ClientFrom,
  type ObjectStore,
} from "./store";
