#!/usr/bin/env python3
"""Generate the benchmark's synthetic inputs from templates written for edgelint.

    gen_inputs.py tree DIR [FILES]     a tree of FILES files (default 50,000, ~250 MB): a mix of
                                       Dockerfiles, Compose files and Kubernetes manifests
    gen_inputs.py single DIR           one Dockerfile, one Compose file, one 300-line Kubernetes
                                       manifest and an .edgelint.yaml beside them
    gen_inputs.py big DIR              one ~8 MB Kubernetes stream and one ~7 MB Dockerfile

Output is deterministic (a fixed seed), so runs compare. None of this text comes from the
shared corpus: the templates below are written for the benchmark.
"""

import os
import random
import sys

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG GO_VERSION=1.23
FROM golang:${{GO_VERSION}}-bookworm AS build
ARG TARGETARCH
WORKDIR /src/{name}
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -X main.version={version}" \\
      -o /out/{name} ./cmd/{name}
RUN case "$TARGETARCH" in \\
      amd64) echo x86_64 > /out/arch ;; \\
      arm64) echo aarch64 > /out/arch ;; \\
      arm) echo armv7 > /out/arch ;; \\
      *) echo "unsupported $TARGETARCH" >&2; exit 1 ;; \\
    esac

FROM {base}
LABEL org.opencontainers.image.title="{name}" \\
      org.opencontainers.image.version="{version}"
RUN apk add --no-cache ca-certificates tzdata curl && \\
    addgroup -S app && adduser -S -G app app && \\
    mkdir -p /var/lib/{name} && chown app:app /var/lib/{name}
COPY --from=build /out/{name} /usr/local/bin/{name}
COPY --from=build /out/arch /etc/{name}.arch
ENV {upper}_DATA=/var/lib/{name} \\
    {upper}_PORT={port} \\
    {upper}_LOG_LEVEL=info
EXPOSE {port}
VOLUME /var/lib/{name}
USER app
HEALTHCHECK --interval={interval}s --timeout={timeout}s --start-period=20s --retries=3 \\
  CMD curl -fsS http://localhost:{port}/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/{name}"]
CMD ["--listen", ":{port}", "--data", "/var/lib/{name}"]
"""

COMPOSE_HEAD = """\
name: {name}-site
x-logging: &logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"
services:
"""

COMPOSE_SERVICE = """\
  {svc}:
    image: {image}
    restart: unless-stopped
    logging: *logging
    environment:
      - TZ=Europe/Berlin
      - {upper}_PORT={port}
      - {upper}_BROKER=mqtt://broker:1883
    ports:
      - "{port}:{port}"
    volumes:
      - {svc}-data:/var/lib/{svc}
      - ./config/{svc}.yaml:/etc/{svc}/config.yaml:ro
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:{port}/health"]
      interval: {interval}s
      timeout: {timeout}s
      retries: 3
      start_period: 30s
{limits}    depends_on:
      broker:
        condition: service_started
"""

COMPOSE_LIMITS = """\
    deploy:
      resources:
        limits:
          memory: {mem}M
          cpus: "0.{cpu}"
"""

K8S_DEPLOYMENT = """\
---
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: plant-{site}
spec:
{replicas}  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "{port}"
    spec:
      nodeSelector:
        kubernetes.io/arch: {arch}
      tolerations:
        - key: node.kubernetes.io/unreachable
          operator: Exists
          effect: NoExecute
          tolerationSeconds: {toleration}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
      containers:
        - name: {name}
          image: {image}
          imagePullPolicy: IfNotPresent
          args: ["--port={port}", "--data=/data", "--log-level=info"]
          ports:
            - name: http
              containerPort: {port}
          env:
            - name: SITE
              value: "{site}"
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
{resources}          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: {period}
            timeoutSeconds: {timeout}
            failureThreshold: {failures}
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: 10
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /etc/{name}
              readOnly: true
      volumes:
        - name: data
          {volume}
        - name: config
          configMap:
            name: {name}-config
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: {port}
      targetPort: http
"""

K8S_RESOURCES = """\
          resources:
            requests:
              cpu: {cpu}m
              memory: {mem}Mi
            limits:
              memory: {mem}Mi
"""

NAMES = ["historian", "collector", "gateway", "modbus", "opcua", "mqtt-bridge", "alarm",
         "scheduler", "exporter", "inference", "recorder", "dashboard", "ingest", "sync"]
BASES = ["alpine:3.20", "debian:bookworm-slim", "ubuntu:24.04", "python:3.12-slim",
         "node:22-alpine", "mysql:8.4", "eclipse-temurin:21-jre"]
IMAGES = ["registry.example.com/plant/{n}:{v}", "eclipse-mosquitto:2", "redis:7.4",
          "postgres:16", "grafana/grafana:11.2.0", "influxdb:2.7", "nginx:1.27-alpine",
          "mysql:8.4", "busybox:1.36"]


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def dockerfile(rng, i):
    name = pick(rng, NAMES)
    return DOCKERFILE.format(
        name=name, upper=name.upper().replace("-", "_"), version=f"1.{i % 40}.{i % 7}",
        base=pick(rng, BASES), port=8000 + i % 1000, interval=pick(rng, [5, 10, 30]),
        timeout=pick(rng, [1, 3, 5]))


def image(rng, i):
    return pick(rng, IMAGES).format(n=pick(rng, NAMES), v=f"1.{i % 20}")


def compose(rng, i, services):
    out = [COMPOSE_HEAD.format(name=pick(rng, NAMES))]
    for s in range(services):
        svc = f"{pick(rng, NAMES)}-{s}"
        limits = "" if rng.random() < 0.3 else COMPOSE_LIMITS.format(
            mem=pick(rng, [128, 256, 512]), cpu=pick(rng, [2, 5, 8]))
        out.append(COMPOSE_SERVICE.format(
            svc=svc, upper=svc.upper().replace("-", "_"), image=image(rng, i + s),
            port=9000 + (i + s) % 900, interval=pick(rng, [5, 10, 30]),
            timeout=pick(rng, [1, 5]), limits=limits))
    out.append("  broker:\n    image: eclipse-mosquitto:2\n    restart: unless-stopped\n")
    out.append("volumes:\n" + "".join(f"  {pick(rng, NAMES)}-{s}-data: {{}}\n"
                                     for s in range(services)))
    return "".join(out)


def k8s(rng, i, objects):
    out = []
    for o in range(objects):
        name = f"{pick(rng, NAMES)}-{o}"
        kind = pick(rng, ["Deployment", "Deployment", "StatefulSet", "DaemonSet"])
        resources = "" if rng.random() < 0.3 else K8S_RESOURCES.format(
            cpu=pick(rng, [50, 100, 250]), mem=pick(rng, [64, 128, 256]))
        volume = pick(rng, ["emptyDir: {}", "persistentVolumeClaim:\n            claimName: "
                            + name + "-data", "emptyDir:\n            sizeLimit: 1Gi"])
        out.append(K8S_DEPLOYMENT.format(
            kind=kind, name=name, namespace=f"plant-{i % 13}", site=f"site-{i % 97}",
            replicas="" if kind == "DaemonSet" else "  replicas: 1\n",
            port=8080 + o, arch=pick(rng, ["arm64", "amd64", "arm"]),
            toleration=pick(rng, [30, 300, 3600]), image=image(rng, i + o),
            resources=resources, period=pick(rng, [5, 10, 30]), timeout=pick(rng, [1, 3, 10]),
            failures=pick(rng, [1, 3, 6]), volume=volume))
    return "".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def tree(root, files):
    rng = random.Random(50_000)
    for i in range(files):
        d = os.path.join(root, f"team-{i % 50:02d}", f"svc-{i // 50 % 100:03d}")
        r = i % 10
        if r < 3:
            write(os.path.join(d, f"Dockerfile.{i}"), dockerfile(rng, i))
        elif r < 6:
            write(os.path.join(d, f"compose-{i}.yaml"), compose(rng, i, 6))
        else:
            write(os.path.join(d, f"deploy-{i}.yaml"), k8s(rng, i, 4))
    write(os.path.join(root, ".edgelint.yaml"), "platforms: [linux/amd64, linux/arm64]\n")


def single(root):
    rng = random.Random(1)
    write(os.path.join(root, "Dockerfile"), dockerfile(rng, 1))
    write(os.path.join(root, "compose.yaml"), compose(rng, 1, 4))
    text = k8s(rng, 1, 3)
    while text.count("\n") < 300:
        text += k8s(rng, 2, 1)
    lines = text.count("\n")
    assert 300 <= lines <= 420, lines
    write(os.path.join(root, "deploy.yaml"), text)
    write(os.path.join(root, ".edgelint.yaml"),
          "platforms: [linux/amd64, linux/arm64]\nfailure-threshold: warning\n")


def big(root):
    rng = random.Random(8)
    parts, size, i = [], 0, 0
    while size < 8 * 1024 * 1024 - 16 * 1024:
        part = k8s(rng, i, 1)
        parts.append(part)
        size += len(part)
        i += 1
    write(os.path.join(root, "big.k8s.yaml"), "".join(parts))
    stages, size, i = [], 0, 0
    while size < 7 * 1024 * 1024:
        stage = dockerfile(rng, i).replace("AS build", f"AS build{i}").replace(
            "--from=build ", f"--from=build{i} ")
        stages.append(stage)
        size += len(stage)
        i += 1
    write(os.path.join(root, "Dockerfile.big"), "".join(stages))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    what, root = sys.argv[1], sys.argv[2]
    if what == "tree":
        tree(root, int(sys.argv[3]) if len(sys.argv) > 3 else 50_000)
    elif what == "single":
        single(root)
    elif what == "big":
        big(root)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
