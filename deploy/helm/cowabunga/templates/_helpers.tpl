{{/* Name of the release's objects, at most 63 characters (a DNS label). */}}
{{- define "cowabunga.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cowabunga.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cowabunga.labels" -}}
{{ include "cowabunga.selector" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* One image for serve, worker and the migration Job; the tag defaults to the chart's appVersion. */}}
{{- define "cowabunga.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Environment: secrets from existing Secrets (secretKeyRef, never copied into the chart), then plain values. */}}
{{- define "cowabunga.env" -}}
{{- range $name, $ref := .Values.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secret }}
      key: {{ $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- range $name, $value := .Values.env }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- if .Values.osvMirror.existingClaim }}
- name: COWABUNGA_OSV_DB
  value: /srv/osv
{{- end }}
- name: COWABUNGA_DATA_DIR
  value: /data
{{- end -}}

{{/* The root filesystem is read-only: tsx's cache and temporary files go to /tmp, anything file-based to /data. */}}
{{- define "cowabunga.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
  emptyDir: {}
{{- if .Values.osvMirror.existingClaim }}
- name: osv
  persistentVolumeClaim:
    claimName: {{ .Values.osvMirror.existingClaim }}
    readOnly: true
{{- end }}
{{- end -}}

{{- define "cowabunga.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- if .Values.osvMirror.existingClaim }}
- name: osv
  mountPath: /srv/osv
  readOnly: true
{{- end }}
{{- end -}}

{{- define "cowabunga.podSpecCommon" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  {{- include "cowabunga.volumes" . | nindent 2 }}
{{- end -}}
