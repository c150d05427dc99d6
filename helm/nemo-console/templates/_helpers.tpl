{{- define "nemo.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nemo.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "nemo.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "nemo.env" -}}
- name: NODE_ENV
  value: production
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: NEXTAUTH_URL
  value: {{ .Values.publicUrl | quote }}
- name: KEYCLOAK_ISSUER
  value: {{ .Values.keycloak.issuer | quote }}
- name: KEYCLOAK_CLIENT_ID
  value: {{ .Values.keycloak.clientId | quote }}
- name: NEMO_TRUSTED_PROXY_HOPS
  value: {{ if kindIs "invalid" .Values.trustedProxyHops }}{{ ternary "1" "0" .Values.ingress.enabled | quote }}{{ else }}{{ .Values.trustedProxyHops | quote }}{{ end }}
{{- if .Values.elasticsearchUrl }}
- name: ELASTICSEARCH_URL
  value: {{ .Values.elasticsearchUrl | quote }}
{{- end }}
{{- range $key, $value := .Values.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- range $key := list "DATABASE_URL" "AMQP_URL" "NEXTAUTH_SECRET" "KEYCLOAK_CLIENT_SECRET" "NEMO_SECRET_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- end -}}
