def manifests() -> str:
    """The shop for Kubernetes: what the stack file says, in a Deployment, a Service and a ConfigMap."""
    return """
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  WARMUP_SECONDS: "1"
  DRAIN_SECONDS: "3"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {app: shop}
spec:
  replicas: 3
  selector:
    matchLabels: {app: shop}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: shop}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: shop:v2
          ports:
            - {name: http, containerPort: 8000}
          envFrom:
            - configMapRef: {name: shop-config}
          resources:
            requests: {cpu: 100m, memory: 32Mi}
            limits: {cpu: 250m, memory: 64Mi}
          readinessProbe:
            httpGet: {path: /health, port: http}
            periodSeconds: 1
            failureThreshold: 2
          livenessProbe:
            httpGet: {path: /health, port: http}
            initialDelaySeconds: 3
            periodSeconds: 5
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
    - {name: http, port: 80, targetPort: http}
"""
