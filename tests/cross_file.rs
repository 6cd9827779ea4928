//! The cross-file phase through the real binary: a PodDisruptionBudget and its workload in two
//! files of one directory (`pdb-blocks-drain`), a claim and its volume (`pvc-binding-mismatch`)
//! or its Deployment (`rwo-volume-rollout`), a Service and the pods it selects
//! (`unresolved-named-port`), suppressions in the budget's file, and what a file
//! linted alone (pre-commit) gives.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{run, stdout};

fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: db\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: db}\n";
const DB: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers:\n        - name: db\n          image: postgres:17\n";

fn lint(dir: &Path, paths: &[&str]) -> std::process::Output {
    lint_rule(dir, "pdb-blocks-drain", paths)
}

#[test]
fn a_budget_and_its_workload_in_two_files_of_one_directory() {
    let dir = tree(
        "cross-file-pdb",
        &[("base/pdb.yaml", PDB), ("base/db.yaml", DB), ("other/db.yaml", DB)],
    );
    let o = lint(&dir, &["."]);
    // One finding, in the budget's file, naming the workload's file; `other/` is another bundle.
    assert_eq!(
        stdout(&o),
        "base/pdb.yaml:6:17: warning[pdb-blocks-drain] disruption budget `db` allows no voluntary eviction of StatefulSet `db` (in base/db.yaml): `minAvailable: 1` with 1 replica (default)\n"
    );
    assert_eq!(o.status.code(), Some(1));
    // Both files named: the same. The budget alone (pre-commit): the workload is not in view.
    let o = lint(&dir, &["base/pdb.yaml", "base/db.yaml"]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    let o = lint(&dir, &["base/pdb.yaml"]);
    assert_eq!(stdout(&o), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_suppression_in_the_budget_file_covers_the_cross_file_finding() {
    let suppressed = PDB.replace(
        "  minAvailable: 1\n",
        "  # edgelint: ignore[pdb-blocks-drain] -- one node per site, drained by hand\n  minAvailable: 1\n",
    );
    let dir = tree("cross-file-suppressed", &[("pdb.yaml", &suppressed), ("db.yaml", DB)]);
    let args = ["--isolated", "--format", "concise"];
    let select = ["--select", "pdb-blocks-drain,unused-suppression"];
    let o = run(&[&args[..], &select[..], &["."]].concat(), &dir);
    assert_eq!(stdout(&o), "");
    // Linted alone, the finding cannot be seen, and the suppression is not called unused.
    let o = run(&[&args[..], &select[..], &["pdb.yaml"]].concat(), &dir);
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_budget_that_selects_nothing_in_its_directory() {
    let stale = PDB.replace("{app: db}", "{app: database}");
    let web = DB.replace("db", "web");
    // The budget's own file shows a workload of its namespace, and nothing matches.
    let bundle = format!("{stale}---\n{web}");
    let dir = tree("cross-file-stale", &[("app/bundle.yaml", &bundle), ("app/db.yaml", DB)]);
    let o = lint(&dir, &["."]);
    assert_eq!(
        stdout(&o),
        "app/bundle.yaml:4:9: info[pdb-blocks-drain] disruption budget `db` selects no workload in its directory\n"
    );
    // Alone in its directory, the file is its own bundle (its cross-file phase runs with its
    // per-file pass): the same finding, named or walked, and from standard input.
    let expected = "bundle.yaml:4:9: info[pdb-blocks-drain] disruption budget `db` selects no workload in its directory\n";
    let dir = tree("cross-file-stale-alone", &[("bundle.yaml", &bundle), ("db/db.yaml", DB)]);
    assert_eq!(stdout(&lint(&dir, &["."])), expected);
    // The only stream of its directory beside a file of another kind: the same.
    let docker = "FROM alpine:3.20\n";
    let beside =
        tree("cross-file-stale-beside", &[("bundle.yaml", &bundle), ("Dockerfile", docker)]);
    assert_eq!(stdout(&lint(&beside, &["."])), expected);
    assert_eq!(stdout(&lint(&dir, &["bundle.yaml"])), expected);
    let args = ["--isolated", "--format", "concise", "--select", "pdb-blocks-drain"];
    let piped = common::run_stdin(
        &[&args[..], &["--stdin-filename", "bundle.yaml", "-"]].concat(),
        &dir,
        &bundle,
    );
    assert_eq!(stdout(&piped), expected);
    // Standard input named into a directory with a file: one bundle of two.
    let next = common::run_stdin(
        &[&args[..], &["--stdin-filename", "db/pdb.yaml", "-", "db/db.yaml"]].concat(),
        &dir,
        PDB,
    );
    assert_eq!(
        stdout(&next),
        "db/pdb.yaml:6:17: warning[pdb-blocks-drain] disruption budget `db` allows no voluntary eviction of StatefulSet `db` (in db/db.yaml): `minAvailable: 1` with 1 replica (default)\n"
    );
    // A budget file without workloads is not judged: its bundle may be elsewhere.
    let dir = tree("cross-file-alone", &[("pdb.yaml", &stale)]);
    assert_eq!(stdout(&lint(&dir, &["."])), "");
}

const PV: &str = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: usb-disk\nspec:\n  capacity: {storage: 50Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /mnt/usb, type: Directory}\n";
const PVC: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  volumeName: usb-disk\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests: {storage: 50Gi}\n";
const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: registry.local:5000/app:1.0.0\n          volumeMounts: [{name: data, mountPath: /data}]\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claimName: data}\n";

fn lint_rule(dir: &Path, rule: &str, paths: &[&str]) -> std::process::Output {
    let mut args = vec!["--isolated", "--format", "concise", "--select", rule];
    args.extend_from_slice(paths);
    run(&args, dir)
}

#[test]
fn a_claim_and_its_volume_in_two_files_of_one_directory() {
    let dir = tree(
        "cross-file-pvc",
        &[("base/pv.yaml", PV), ("base/pvc.yaml", PVC), ("other/pvc.yaml", PVC)],
    );
    let o = lint_rule(&dir, "pvc-binding-mismatch", &["."]);
    // On the claim (where `storageClassName: ""` goes), naming the volume's file; `other/` is
    // another bundle, whose claim names a volume not in view.
    assert_eq!(
        stdout(&o),
        "base/pvc.yaml:5:1: error[pvc-binding-mismatch] claim `data` omits `storageClassName`, so the cluster's default class is set when it is created, and PersistentVolume `usb-disk` (in base/pv.yaml), which it names, has no class: they never bind\n"
    );
    assert_eq!(o.status.code(), Some(1));
    // The claim alone (pre-commit): its volume is not in view.
    let o = lint_rule(&dir, "pvc-binding-mismatch", &["base/pvc.yaml"]);
    assert_eq!(stdout(&o), "");
    // Both in one file: the per-file hook says the same, once.
    let both = format!("{PV}---\n{PVC}");
    let dir = tree("cross-file-pvc-one", &[("all.yaml", &both), ("pv.yaml", PV)]);
    let o = lint_rule(&dir, "pvc-binding-mismatch", &["."]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stdout(&o).starts_with("all.yaml:14:1: error[pvc-binding-mismatch]"), "{}", stdout(&o));
}

#[test]
fn a_deployment_and_its_claim_in_two_files_of_one_directory() {
    let claim = PVC.replace("  volumeName: usb-disk\n", "");
    let dir = tree("cross-file-rwo", &[("app/claim.yaml", &claim), ("app/deploy.yaml", APP)]);
    let o = lint_rule(&dir, "rwo-volume-rollout", &["."]);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with(
            "app/deploy.yaml:18:46: warning[rwo-volume-rollout] claim `data` (ReadWriteOnce"
        ),
        "{out}"
    );
    assert!(out.trim_end().ends_with("(claim in app/claim.yaml)"), "{out}");
    // The Deployment alone: the claim's access modes are unknown, nothing is said.
    let o = lint_rule(&dir, "rwo-volume-rollout", &["app/deploy.yaml"]);
    assert_eq!(stdout(&o), "");
    // Recreate: nothing either way.
    let recreate =
        APP.replace("spec:\n  selector:", "spec:\n  strategy: {type: Recreate}\n  selector:");
    let dir = tree("cross-file-rwo-ok", &[("claim.yaml", &claim), ("deploy.yaml", &recreate)]);
    assert_eq!(stdout(&lint_rule(&dir, "rwo-volume-rollout", &["."])), "");
}

const COMPOSE_BUILT: &str = "services:\n  app:\n    image: registry.local:5000/app:1.0.0\n    depends_on:\n      api:\n        condition: service_healthy\n      web:\n        condition: service_healthy\n  api:\n    build: ./api\n  web:\n    build:\n      context: web\n      dockerfile: Dockerfile.edge\n";

#[test]
fn a_built_service_is_judged_with_its_dockerfile() {
    let dir = tree(
        "cross-file-healthy-dependency",
        &[
            ("site/compose.yaml", COMPOSE_BUILT),
            ("site/api/Dockerfile", "FROM alpine:3.20\nCMD [\"/app\"]\n"),
            (
                "site/web/Dockerfile.edge",
                "FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
            ),
        ],
    );
    let lint = |paths: &[&str]| {
        let mut args = vec![
            "--isolated",
            "--format",
            "concise",
            "--select",
            "healthy-dependency-without-healthcheck",
        ];
        args.extend_from_slice(paths);
        run(&args, &dir)
    };
    // `api`'s Dockerfile has no HEALTHCHECK: one error, in the Compose file; `web`'s has one.
    let o = lint(&["."]);
    assert_eq!(
        stdout(&o),
        "site/compose.yaml:6:20: error[healthy-dependency-without-healthcheck] service `app` waits for `api` to be healthy, which has no `healthcheck` and whose Dockerfile `site/api/Dockerfile` has no HEALTHCHECK: `docker compose up` fails\n"
    );
    assert_eq!(o.status.code(), Some(1));
    let o = lint(&["site/compose.yaml", "site/api/Dockerfile"]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    // The Compose file alone (pre-commit): the Dockerfiles are not in view.
    let o = lint(&["site/compose.yaml"]);
    assert_eq!(stdout(&o), "");
}

const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: gateway\nspec:\n  selector: {app: gateway}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n";
const GATEWAY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gateway\nspec:\n  selector:\n    matchLabels: {app: gateway}\n  template:\n    metadata:\n      labels: {app: gateway}\n    spec:\n      containers:\n        - name: gateway\n          image: registry.local:5000/gateway:2.3.0\n          ports:\n            - containerPort: 8080\n";

#[test]
fn a_service_and_the_pods_it_selects_in_two_files_of_one_directory() {
    let dir = tree(
        "cross-file-named-port",
        &[
            ("base/svc.yaml", SERVICE),
            ("base/gateway.yaml", GATEWAY),
            ("other/gateway.yaml", GATEWAY),
        ],
    );
    let rule = "unresolved-named-port";
    let expected = "base/svc.yaml:10:19: warning[unresolved-named-port] `targetPort: http` of Service `gateway` names a port that Deployment `gateway` (in base/gateway.yaml), whose pods it selects, does not declare: those pods get no endpoint for this Service port\n";
    // One finding, in the Service's file (where `targetPort` is), naming the workload's file;
    // `other/` is another bundle.
    let o = lint_rule(&dir, rule, &["."]);
    assert_eq!(stdout(&o), expected);
    assert_eq!(o.status.code(), Some(1));
    // Both files named: the same.
    let o = lint_rule(&dir, rule, &["base/svc.yaml", "base/gateway.yaml"]);
    assert_eq!(stdout(&o), expected);
    // The Service alone (pre-commit): its pods are not in view, nothing is said.
    let o = lint_rule(&dir, rule, &["base/svc.yaml"]);
    assert_eq!(stdout(&o), "");
    assert_eq!(o.status.code(), Some(0));
    // The workload declares the name: nothing.
    let named = GATEWAY.replace("- containerPort: 8080", "- {name: http, containerPort: 8080}");
    let dir = tree("cross-file-named-port-ok", &[("svc.yaml", SERVICE), ("gateway.yaml", &named)]);
    assert_eq!(stdout(&lint_rule(&dir, rule, &["."])), "");
    // Both in one file: the per-file hook says it, once (the copy beside it is another
    // render of the bundle, not paired again).
    let both = format!("{SERVICE}---\n{GATEWAY}");
    let dir = tree("cross-file-named-port-one", &[("all.yaml", &both), ("gateway.yaml", GATEWAY)]);
    let out = stdout(&lint_rule(&dir, rule, &["."]));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("all.yaml:10:19: warning[unresolved-named-port]"), "{out}");
    assert!(!out.contains("(in "), "{out}");
}
