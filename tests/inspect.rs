//! `edgelint inspect` shows the right line:col for each image (issue: multi-stage Dockerfile,
//! compose with anchors and merge keys, CronJob). Expected positions are counted by hand from
//! the texts below.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use edgelint::document::FileKind;
use edgelint::source::SourceFile;
use serde_json::Value;

fn inspect(text: &str, kind: FileKind) -> Value {
    edgelint::inspect::inspect(&SourceFile::new("t", text), kind)
}

#[test]
fn multi_stage_dockerfile() {
    let text = "\
ARG GO=1.23
FROM --platform=$BUILDPLATFORM golang:${GO} AS build
RUN go build -o /app .

FROM   alpine:3.20
COPY --from=build /app /app
";
    let v = inspect(text, FileKind::Dockerfile);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    let stages = v["model"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["image"]["value"], "golang:${GO}");
    assert_eq!(stages[0]["image"]["at"], "2:32");
    assert_eq!(stages[0]["resolved_image"], "golang:1.23");
    assert_eq!(stages[0]["name"]["value"], "build");
    assert_eq!(stages[0]["platform"]["value"], "$BUILDPLATFORM");
    assert_eq!(stages[0]["reaches_final"], false);
    assert_eq!(stages[1]["image"]["at"], "5:8");
    assert_eq!(stages[1]["reaches_final"], true);
}

#[test]
fn compose_with_anchors_and_merge_keys() {
    let text = "\
x-base: &base
  image: redis:7.4
  restart: always
services:
  cache:
    <<: *base
  queue:
    <<: *base
    image: \"rabbitmq:4\"
";
    let v = inspect(text, FileKind::Compose);
    let services = v["model"]["services"].as_array().unwrap();
    assert_eq!(services[0]["name"]["at"], "5:3");
    // merged from the anchor: located where it is written
    assert_eq!(services[0]["image"]["value"], "redis:7.4");
    assert_eq!(services[0]["image"]["at"], "2:10");
    assert_eq!(services[1]["image"]["value"], "rabbitmq:4");
    assert_eq!(services[1]["image"]["at"], "9:12");
    assert_eq!(services[1]["restart"]["at"], "3:12");
}

#[test]
fn cronjob_images() {
    let text = "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: \"@daily\"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - name: wait
            image: busybox:1.36
          containers:
          - name: backup
            image:   restic/restic:0.17
";
    let v = inspect(text, FileKind::Kubernetes);
    let obj = &v["model"]["objects"][0];
    assert_eq!(obj["kind"]["value"], "CronJob");
    assert_eq!(obj["kind"]["at"], "2:7");
    let t = &obj["pod_templates"][0];
    assert_eq!(t["path"], "spec.jobTemplate.spec.template.spec");
    let c = t["containers"].as_array().unwrap();
    assert_eq!(c[0]["role"], "init container");
    assert_eq!(c[0]["image"]["at"], "13:20");
    assert_eq!(c[1]["role"], "container");
    assert_eq!(c[1]["name"]["at"], "15:19");
    assert_eq!(c[1]["image"]["at"], "16:22");
}

#[test]
fn parse_errors_are_listed_with_positions() {
    let v = inspect("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", FileKind::Kubernetes);
    assert!(!v["errors"].as_array().unwrap().is_empty());
}
