//! Where well-known stateful images keep their data, which mount paths hold data and which are
//! scratch space (the data-path table of `rules/ephemeral-storage-for-data.md`). One table for
//! Kubernetes and Compose.
//!
//! Images are matched by their normalised name ([`crate::values::image_ref`]), so `postgres`,
//! `docker.io/library/postgres:16` and `index.docker.io/library/postgres` are the same image.
//! Each data path was checked against the image's Dockerfile (`VOLUME`, `ENV`) or its
//! documentation; the few that could not be are marked "unverified" in the table.

use crate::model::kubernetes::{Manifests, Object, PodTemplate};
use crate::values::image_ref::{self, ImageRef};

/// What a well-known stateful image does with its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatefulImage {
    /// The image as Docker prints it: `postgres`, `grafana/grafana`.
    pub name: String,
    /// Where the data lives, after an environment override such as `PGDATA`.
    pub data_path: String,
    /// Where a volume should be mounted to keep the data: the data path, or the image's
    /// `VOLUME` above it (`/var/lib/postgresql` for PostgreSQL 18+).
    pub mount_point: String,
    /// The image declares a `VOLUME` at or above the data path: without a mount of its own, the
    /// data lands in an anonymous volume.
    pub declares_volume: bool,
    /// The image writes its data only when its configuration asks for it and the image's own
    /// configuration does not (Mosquitto's `persistence`): without a mount at this directory,
    /// nothing is kept.
    pub config_dir: Option<String>,
    /// A path where a mount stops the container from starting (PostgreSQL 18+ and
    /// `/var/lib/postgresql/data`), with the reason for messages.
    pub refused_mount: Option<RefusedMount>,
}

/// A mount point the image's entrypoint refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedMount {
    pub path: String,
    /// Why, for the message: what the image does instead.
    pub why: String,
}

impl StatefulImage {
    /// An image the configuration names as stateful (`stateful-images`), with its data path.
    pub fn custom(name: String, data_path: &str) -> StatefulImage {
        let data_path = normalize(data_path);
        StatefulImage {
            name,
            mount_point: data_path.clone(),
            data_path,
            declares_volume: false,
            config_dir: None,
            refused_mount: None,
        }
    }
}

/// How the data path depends on the tag or the command line.
#[derive(Clone, Copy)]
enum Layout {
    Fixed,
    /// `postgres`: 18+ keeps `PGDATA` in `/var/lib/postgresql/<major>/docker` under
    /// `VOLUME /var/lib/postgresql`; earlier majors use `/var/lib/postgresql/data`.
    Postgres,
    /// `influxdb`: 1.x `/var/lib/influxdb`, 2.x `/var/lib/influxdb2`; 3.x (and `latest` since
    /// 2026) keeps its data where `--data-dir`/the object store says, so it is not in the table.
    Influxdb,
    /// The data path is known only from a flag or the environment variable (etcd's default,
    /// `<name>.etcd` in the working directory, depends on both).
    FromFlag,
    /// `minio server /data`: the first path after `server` (a URL is a distributed setup
    /// edgelint does not follow).
    MinioServer,
}

struct Known {
    /// Normalised names, `registry/repository`.
    names: &'static [&'static str],
    data_path: &'static str,
    declares_volume: bool,
    /// An environment variable that moves the data directory.
    env: Option<&'static str>,
    /// Command-line flags that move the data directory (`--data-dir`), after `env`.
    flags: &'static [&'static str],
    /// The image keeps data only when one of these flags is on the command line (NATS
    /// JetStream: `-js`).
    requires: &'static [&'static str],
    layout: Layout,
    /// See [`StatefulImage::config_dir`].
    config_dir: Option<&'static str>,
}

const fn known(names: &'static [&'static str], data_path: &'static str, volume: bool) -> Known {
    Known {
        names,
        data_path,
        declares_volume: volume,
        env: None,
        flags: &[],
        requires: &[],
        layout: Layout::Fixed,
        config_dir: None,
    }
}

impl Known {
    const fn env(mut self, var: &'static str) -> Known {
        self.env = Some(var);
        self
    }

    const fn flags(mut self, flags: &'static [&'static str]) -> Known {
        self.flags = flags;
        self
    }

    const fn requires(mut self, flags: &'static [&'static str]) -> Known {
        self.requires = flags;
        self
    }

    const fn layout(mut self, layout: Layout) -> Known {
        self.layout = layout;
        self
    }

    const fn config_dir(mut self, dir: &'static str) -> Known {
        self.config_dir = Some(dir);
        self
    }
}

/// The data-path table. Sources: the images' Dockerfiles (docker-library, MariaDB,
/// eclipse/mosquitto, node-red-docker, bitnami/containers, emqx-docker, ClickHouse, Confluent)
/// and documentation (Grafana, Elastic, OpenSearch, Home Assistant, QuestDB, NATS, etcd). An
/// entry whose `VOLUME` could not be checked says "unverified" and claims none.
const KNOWN: &[Known] = &[
    // docker-library/postgres: `ENV PGDATA /var/lib/postgresql/data`, `VOLUME` the same (≤ 17);
    // 18+: `ENV PGDATA /var/lib/postgresql/18/docker`, `VOLUME /var/lib/postgresql`.
    known(&["docker.io/library/postgres"], "/var/lib/postgresql/data", true)
        .env("PGDATA")
        .layout(Layout::Postgres),
    // `FROM postgres`: same PGDATA and VOLUME. Their PostgreSQL 18 layout is unverified, so the
    // tag is not read: a mount at /var/lib/postgresql or /var/lib/postgresql/data both count.
    known(
        &["docker.io/postgis/postgis", "docker.io/timescale/timescaledb"],
        "/var/lib/postgresql/data",
        true,
    )
    .env("PGDATA"),
    // timescale/timescaledb-docker-ha: `PGDATA=/home/postgres/pgdata/data` (VOLUME unverified).
    known(&["docker.io/timescale/timescaledb-ha"], "/home/postgres/pgdata/data", false)
        .env("PGDATA"),
    // bitnami/containers: `VOLUME [ "/bitnami/postgresql", … ]`.
    known(&["docker.io/bitnami/postgresql"], "/bitnami/postgresql", true),
    // docker-library/mysql and MariaDB/mariadb-docker: `VOLUME /var/lib/mysql`
    // (mysql/mysql-server: unverified, same path per Oracle's docs).
    known(
        &["docker.io/library/mysql", "docker.io/library/mariadb", "docker.io/mysql/mysql-server"],
        "/var/lib/mysql",
        true,
    ),
    // bitnami/containers: no VOLUME; paths from their docker-compose.yml files.
    known(&["docker.io/bitnami/mysql"], "/bitnami/mysql/data", false),
    known(&["docker.io/bitnami/mariadb"], "/bitnami/mariadb", false),
    known(&["docker.io/bitnami/mongodb"], "/bitnami/mongodb", false),
    known(&["docker.io/bitnami/redis"], "/bitnami/redis/data", false),
    known(&["docker.io/bitnami/kafka"], "/bitnami/kafka", false),
    known(&["docker.io/bitnami/zookeeper"], "/bitnami/zookeeper", false),
    known(&["docker.io/bitnami/etcd"], "/bitnami/etcd", false),
    known(&["docker.io/bitnami/rabbitmq"], "/bitnami/rabbitmq/mnesia", false),
    known(&["docker.io/bitnami/elasticsearch"], "/bitnami/elasticsearch/data", false),
    // docker-library/mongo: `VOLUME /data/db /data/configdb` (configdb is for config servers).
    known(&["docker.io/library/mongo"], "/data/db", true),
    // docker-library/redis: `VOLUME /data` (the working directory, where dump.rdb goes);
    // valkey-container: the same.
    known(&["docker.io/library/redis", "docker.io/valkey/valkey"], "/data", true),
    // influxdata-docker: 1.x `VOLUME /var/lib/influxdb`, 2.x `VOLUME /var/lib/influxdb2 …`.
    known(&["docker.io/library/influxdb"], "/var/lib/influxdb2", true).layout(Layout::Influxdb),
    // Grafana: `GF_PATHS_DATA=/var/lib/grafana`, no VOLUME ("all your Grafana data disappears
    // as soon as you stop your container" without a volume, Grafana docs).
    known(
        &[
            "docker.io/grafana/grafana",
            "docker.io/grafana/grafana-oss",
            "docker.io/grafana/grafana-enterprise",
        ],
        "/var/lib/grafana",
        false,
    )
    .env("GF_PATHS_DATA"),
    // eclipse/mosquitto docker/2.0: `VOLUME ["/mosquitto/data", "/mosquitto/log"]`. It writes
    // there only with `persistence true`, which neither the image's stock mosquitto.conf nor
    // its /mosquitto-no-auth.conf sets (the default is false, mosquitto.conf(5)).
    known(&["docker.io/library/eclipse-mosquitto"], "/mosquitto/data", true)
        .config_dir("/mosquitto/config"),
    // emqx-docker: `VOLUME ["/opt/emqx/log", "/opt/emqx/data"]`, `EMQX_NODE__DATA_DIR`.
    known(
        &["docker.io/emqx/emqx", "docker.io/library/emqx", "docker.io/emqx/emqx-enterprise"],
        "/opt/emqx/data",
        true,
    )
    .env("EMQX_NODE__DATA_DIR"),
    // NATS keeps streams only with JetStream on (`-js`), in `--store_dir`, by default
    // `$TMPDIR/nats/jetstream` (nats-server docs); the image has no VOLUME.
    known(&["docker.io/library/nats"], "/tmp/nats/jetstream", false)
        .flags(&["--store_dir", "-sd"])
        .requires(&["-js", "--jetstream"]),
    // node-red-docker: `VOLUME ["/data"]` (flows, credentials, installed nodes).
    known(&["docker.io/nodered/node-red"], "/data", true),
    // docker-library/rabbitmq: `VOLUME $RABBITMQ_DATA_DIR` (/var/lib/rabbitmq).
    known(&["docker.io/library/rabbitmq"], "/var/lib/rabbitmq", true),
    // Confluent's cp-kafka and cp-zookeeper: `VOLUME ["/var/lib/kafka/data", …]`,
    // `VOLUME ["/var/lib/zookeeper/data", "/var/lib/zookeeper/log", …]`.
    known(&["docker.io/confluentinc/cp-kafka"], "/var/lib/kafka/data", true).env("KAFKA_LOG_DIRS"),
    known(&["docker.io/confluentinc/cp-zookeeper"], "/var/lib/zookeeper/data", true),
    // apache/kafka: without `KAFKA_LOG_DIRS`, the stock server.properties' `log.dirs`
    // (/tmp/kraft-combined-logs), outside its VOLUME.
    known(
        &["docker.io/apache/kafka", "docker.io/apache/kafka-native"],
        "/tmp/kraft-combined-logs",
        false,
    )
    .env("KAFKA_LOG_DIRS"),
    // docker-library/zookeeper: `ZOO_DATA_DIR=/data`, `VOLUME /data /datalog /logs`.
    known(&["docker.io/library/zookeeper"], "/data", true).env("ZOO_DATA_DIR"),
    // etcd: `--data-dir` or `ETCD_DATA_DIR`; no VOLUME.
    known(
        &[
            "quay.io/coreos/etcd",
            "gcr.io/etcd-development/etcd",
            "registry.k8s.io/etcd",
            "k8s.gcr.io/etcd",
        ],
        "",
        false,
    )
    .env("ETCD_DATA_DIR")
    .flags(&["--data-dir"])
    .layout(Layout::FromFlag),
    // Elastic's docs bind-mount /usr/share/elasticsearch/data; no VOLUME (unverified in the
    // Dockerfile, which Elastic generates). OpenSearch: the same layout (unverified).
    known(
        &["docker.io/library/elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch"],
        "/usr/share/elasticsearch/data",
        false,
    ),
    known(&["docker.io/opensearchproject/opensearch"], "/usr/share/opensearch/data", false),
    // ClickHouse/docker: `VOLUME /var/lib/clickhouse`.
    known(
        &[
            "docker.io/clickhouse/clickhouse-server",
            "docker.io/yandex/clickhouse-server",
            "docker.io/library/clickhouse",
        ],
        "/var/lib/clickhouse",
        true,
    ),
    // QuestDB docs: `-v "$(pwd):/var/lib/questdb"` (VOLUME unverified).
    known(&["docker.io/questdb/questdb"], "/var/lib/questdb", false),
    // prometheus Dockerfile: `VOLUME [ "/prometheus" ]`, `--storage.tsdb.path`.
    known(&["docker.io/prom/prometheus", "quay.io/prometheus/prometheus"], "/prometheus", true)
        .flags(&["--storage.tsdb.path"]),
    // VictoriaMetrics: `-storageDataPath`, default `victoria-metrics-data` in the working
    // directory `/` (VOLUME unverified).
    known(&["docker.io/victoriametrics/victoria-metrics"], "/victoria-metrics-data", false)
        .flags(&["-storageDataPath", "--storageDataPath"]),
    // minio: `minio server /data`; Dockerfile.release declares `VOLUME ["/data"]`.
    known(&["docker.io/minio/minio", "quay.io/minio/minio"], "", false).layout(Layout::MinioServer),
    // docker-library: cassandra `VOLUME /var/lib/cassandra`, couchdb `VOLUME /opt/couchdb/data`,
    // neo4j `VOLUME /data`.
    known(&["docker.io/library/cassandra"], "/var/lib/cassandra", true),
    known(&["docker.io/library/couchdb"], "/opt/couchdb/data", true),
    known(&["docker.io/library/neo4j"], "/data", true),
    // home-assistant/core Dockerfile: `WORKDIR /config`, no VOLUME. The per-machine images
    // (`raspberrypi4-homeassistant`…) are matched in `lookup`.
    known(
        &["docker.io/homeassistant/home-assistant", "ghcr.io/home-assistant/home-assistant"],
        "/config",
        false,
    ),
];

const HOME_ASSISTANT_DATA: &str = "/config";

/// What edgelint sees of a container (Kubernetes) or service (Compose) that may run a stateful
/// image: the inputs of [`classify`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Workload<'a> {
    /// The image reference as written.
    pub image: &'a str,
    /// The environment as written (`None` for a value from elsewhere).
    pub env: &'a [(&'a str, Option<&'a str>)],
    /// Command and arguments (entrypoint, command, args), each as written.
    pub args: &'a [&'a str],
    /// The container's or service's name (`mongo-arbiter`).
    pub name: Option<&'a str>,
    /// Where the container mounts something, whatever the source.
    pub mounts: &'a [&'a str],
    /// Configuration files the container can read whose text edgelint sees, as (file name,
    /// text): the keys of the ConfigMaps of the same stream that its pod mounts.
    pub config_files: &'a [(&'a str, &'a str)],
}

/// What a container of a well-known stateful image does with the data path of its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// It keeps data there.
    Keeps(StatefulImage),
    /// It runs in a role that keeps no data there (a client, a cache, an arbiter, a broker
    /// without persistence); `why` says which, for messages and docs.
    KeepsNothing { image: StatefulImage, why: String },
}

impl Storage {
    /// The image and its data path, whatever the role.
    pub fn image(&self) -> &StatefulImage {
        match self {
            Storage::Keeps(img) | Storage::KeepsNothing { image: img, .. } => img,
        }
    }

    /// The image, when the container keeps data.
    pub fn keeps(self) -> Option<StatefulImage> {
        match self {
            Storage::Keeps(img) => Some(img),
            Storage::KeepsNothing { .. } => None,
        }
    }
}

/// The configuration files a pod can read whose text is in the same stream: each key of the
/// `data` of a ConfigMap (same name, same namespace as written) that a `configMap` volume of
/// the pod names, as (key, text). An init container may copy them elsewhere, so the key's name
/// is what [`classify`] matches.
pub fn pod_config_files<'s>(
    stream: &'s Manifests,
    object: &Object,
    pod: &PodTemplate,
) -> Vec<(&'s str, &'s str)> {
    let namespace = |o: &Object| o.namespace.as_ref().map(|n| n.value.clone());
    let mut out = Vec::new();
    for volume in &pod.volumes {
        if volume.source.as_ref().is_none_or(|s| s.value != "configMap") {
            continue;
        }
        let Some(name) = volume
            .source_node
            .and_then(|id| stream.node(object.doc, id))
            .and_then(|n| n.get("name"))
            .and_then(|e| e.value.as_str())
        else {
            continue;
        };
        let found = stream.objects.iter().find(|o| {
            o.kind.value == "ConfigMap"
                && o.name.as_ref().is_some_and(|n| n.value == name)
                && namespace(o) == namespace(object)
        });
        let data = found
            .and_then(|o| stream.node(o.doc, o.node))
            .and_then(|n| n.get("data"))
            .map(|e| e.value.entries())
            .unwrap_or_default();
        for e in data {
            if let (Some(k), Some(v)) = (e.key.as_str(), e.value.as_str()) {
                out.push((k, v));
            }
        }
    }
    out
}

/// The data of a well-known stateful image, or `None` when the image is not in the table, its
/// reference has an unresolved variable, its data path depends on something edgelint cannot see
/// (an override with a variable, an InfluxDB version it does not know), or it runs in a role that
/// keeps no data (see [`classify`]).
///
/// `env` is the container's environment as written (`None` for a value from elsewhere);
/// `args` its command and arguments (entrypoint, command, args), each as written.
pub fn lookup(image: &str, env: &[(&str, Option<&str>)], args: &[&str]) -> Option<StatefulImage> {
    classify(&Workload { image, env, args, ..Workload::default() })?.keeps()
}

/// Whether a container of a well-known stateful image keeps data, and where: `None` when the
/// image is not in the table or its data path cannot be known (see [`lookup`]);
/// [`Storage::KeepsNothing`] for the roles that keep none:
///
/// - a client or one-shot tool of the image (`psql`, `redis-cli`, `mongosh`…) and no server;
/// - Redis as a cache: snapshots off (`save ""`) and no append-only file, or an `allkeys-*`
///   eviction policy with neither `appendonly yes` nor a `save` schedule of its own (any key may
///   go at any time, so nothing relies on it), from the flags or a visible `redis.conf`, or
///   Bitnami's `REDIS_RDB_POLICY_DISABLED=yes` with `REDIS_AOF_ENABLED=no`;
/// - a MongoDB arbiter: Bitnami's `MONGODB_REPLICA_SET_MODE=arbiter`, or a `mongod --replSet`
///   member whose container or service is named `…arbiter…` (an arbiter holds no data);
/// - Mosquitto without `persistence true`: `/mosquitto-no-auth.conf`, the image's own
///   configuration (nothing mounted at its directory), or a visible `mosquitto.conf` without it.
pub fn classify(w: &Workload<'_>) -> Option<Storage> {
    let image = ImageRef::parse(w.image).ok()?;
    let name = image.hub_name();
    let tokens = tokens(w.args);
    let img = data_of(&image, &name, w.env, &tokens)?;
    let nothing = |why: String| Some(Storage::KeepsNothing { image: img.clone(), why });
    if let Some(client) = runs_a_client(&tokens) {
        return nothing(format!("runs `{client}`, not the server"));
    }
    if name.ends_with("/redis") || name.ends_with("/valkey") {
        if let Some(why) = redis_cache(&tokens, w) {
            return nothing(why);
        }
    }
    if name.ends_with("/mongodb") || name.ends_with("/mongo") {
        if let Some(why) = mongo_arbiter(&tokens, w) {
            return nothing(why);
        }
    }
    if let Some(dir) = &img.config_dir {
        if let Some(why) = mosquitto_not_persistent(&tokens, dir, w) {
            return nothing(why);
        }
    }
    Some(Storage::Keeps(img))
}

/// The table's entry for `image` (normalised `name`), with the data path its tag and
/// environment give.
fn data_of(
    image: &ImageRef,
    name: &str,
    env: &[(&str, Option<&str>)],
    tokens: &[String],
) -> Option<StatefulImage> {
    let Some(entry) = KNOWN.iter().find(|k| k.names.contains(&name)) else {
        return is_home_assistant_machine(image).then(|| StatefulImage {
            name: image.familiar_name(),
            data_path: HOME_ASSISTANT_DATA.to_string(),
            mount_point: HOME_ASSISTANT_DATA.to_string(),
            declares_volume: false,
            config_dir: None,
            refused_mount: None,
        });
    };
    if !entry.requires.is_empty() && !tokens.iter().any(|t| entry.requires.contains(&t.as_str())) {
        return None;
    }
    // Only a digest: the version is unknown.
    let tag = image.effective_tag().unwrap_or("");
    let major = tag_major(tag);
    let postgres_major = match entry.layout {
        Layout::Postgres => major.or_else(|| postgres_alias_major(tag)),
        _ => None,
    };
    let (mut data_path, mut mount_point) = match entry.layout {
        Layout::Fixed | Layout::FromFlag => {
            (entry.data_path.to_string(), entry.data_path.to_string())
        }
        Layout::Postgres => match postgres_major {
            Some(m) if m >= 18 => {
                (format!("/var/lib/postgresql/{m}/docker"), "/var/lib/postgresql".to_string())
            }
            _ => (entry.data_path.to_string(), entry.data_path.to_string()),
        },
        Layout::Influxdb => {
            let path = match major {
                Some(1) => "/var/lib/influxdb",
                Some(2) => "/var/lib/influxdb2",
                _ => return None,
            };
            (path.to_string(), path.to_string())
        }
        Layout::MinioServer => {
            let server = tokens.iter().position(|t| t == "server")?;
            let path =
                tokens[server + 1..].iter().find(|t| !t.starts_with('-') && t.contains('/'))?;
            (path.clone(), path.clone())
        }
    };
    // The image's VOLUME sits at the default mount point.
    let mut declares_volume = entry.declares_volume;
    if matches!(entry.layout, Layout::MinioServer) {
        // minio's Dockerfile.release: `VOLUME ["/data"]`, whatever path `server` is given
        declares_volume = covers("/data", &data_path);
    }
    let from_env = entry
        .env
        .and_then(|var| env.iter().rev().find(|(k, _)| *k == var))
        .map(|(_, value)| *value);
    let from_flag = entry.flags.iter().find_map(|f| flag_value(tokens, f)).map(Some);
    // A flag wins over the environment; a value from elsewhere (`None`) is unknown.
    if let Some(value) = from_flag.or(from_env) {
        let value = value?;
        if image_ref::has_variable(value) || !value.starts_with('/') || value.contains(',') {
            return None;
        }
        let moved = normalize(value);
        declares_volume = declares_volume && covers(&mount_point, &moved);
        data_path = moved;
        mount_point = data_path.clone();
    }
    if !data_path.starts_with('/') {
        return None;
    }
    // docker-library/postgres 18+ entrypoint: "there appears to be PostgreSQL data in:
    // /var/lib/postgresql/data (unused mount/volume)", and it exits, unless PGDATA is there.
    let refused_mount = match postgres_major {
        Some(m) if m >= 18 && data_path != POSTGRES_OLD_DATA => {
            let alias = if major.is_none() {
                format!(" (`{tag}` is PostgreSQL {m} in the official-images library)")
            } else {
                String::new()
            };
            Some(RefusedMount {
                path: POSTGRES_OLD_DATA.to_string(),
                why: format!(
                    "PostgreSQL 18+{alias} keeps its data in {data_path} and its entrypoint \
                     exits when {POSTGRES_OLD_DATA} is a mount point"
                ),
            })
        }
        _ => None,
    };
    Some(StatefulImage {
        name: image.familiar_name(),
        data_path,
        mount_point,
        declares_volume,
        config_dir: entry.config_dir.map(str::to_string),
        refused_mount,
    })
}

/// `f` applied to a Kubernetes container as a [`Workload`] (its image, environment, command
/// words, name and mount points, with the `config_files` its pod mounts); `None` without an
/// image.
pub fn container_workload<R>(
    c: &crate::model::kubernetes::Container,
    config_files: &[(&str, &str)],
    f: impl FnOnce(&Workload<'_>) -> R,
) -> Option<R> {
    let image = c.image.as_ref()?;
    let env: Vec<(&str, Option<&str>)> = c
        .env
        .iter()
        .map(|e| (e.name.value.as_str(), e.value.as_ref().map(|v| v.value.as_str())))
        .collect();
    let args: Vec<&str> = c.command.iter().chain(&c.args).map(|t| t.value.as_str()).collect();
    let mounts: Vec<&str> = c
        .volume_mounts
        .iter()
        .filter_map(|m| m.mount_path.as_ref())
        .map(|p| p.value.as_str())
        .collect();
    Some(f(&Workload {
        image: &image.value,
        env: &env,
        args: &args,
        name: c.name.as_ref().map(|n| n.value.as_str()),
        mounts: &mounts,
        config_files,
    }))
}

/// `f` applied to a Compose service as a [`Workload`]; `None` without an image, and with
/// `build` (then `image` names what is built, not a known upstream image).
pub fn service_workload<R>(
    service: &crate::model::compose::Service,
    f: impl FnOnce(&Workload<'_>) -> R,
) -> Option<R> {
    if service.build.is_some() {
        return None;
    }
    let image = service.image.as_ref()?;
    let env: Vec<(&str, Option<&str>)> = service
        .environment
        .iter()
        .map(|e| (e.name.value.as_str(), e.value.as_ref().map(|v| v.value.as_str())))
        .collect();
    let args: Vec<&str> = [&service.entrypoint, &service.command]
        .into_iter()
        .flatten()
        .flat_map(|c| c.texts())
        .map(|t| t.value.as_str())
        .collect();
    let mounts: Vec<&str> = service
        .volumes
        .iter()
        .filter_map(|v| v.target.as_ref())
        .map(|t| t.value.as_str())
        .collect();
    Some(f(&Workload {
        image: &image.value,
        env: &env,
        args: &args,
        name: Some(&service.name.value),
        mounts: &mounts,
        config_files: &[],
    }))
}

/// The words of a command line: split on whitespace, without quotes or a trailing `;`. An
/// empty argument stays an empty word (`--save ""` in exec form).
fn tokens(args: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        if a.trim().is_empty() {
            out.push(String::new());
        }
        for t in a.split_whitespace() {
            out.push(t.trim_end_matches(';').trim_matches(|c| c == '"' || c == '\'').to_string());
        }
    }
    out
}

/// Clients and one-shot tools shipped in the server images: a container running one of them
/// (and no server) keeps no data of its own.
const CLIENT_TOOLS: &[&str] = &[
    "psql",
    "pg_dump",
    "pg_dumpall",
    "pg_restore",
    "pg_isready",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
    "mongo",
    "mongosh",
    "mongodump",
    "mongorestore",
    "mongoimport",
    "mongoexport",
    "mongos",
    "redis-cli",
    "redis-sentinel",
    "redis-benchmark",
    "influx",
    "rabbitmqctl",
    "rabbitmqadmin",
    "mosquitto_pub",
    "mosquitto_sub",
    "mosquitto_passwd",
    "mosquitto_ctrl",
    "grafana-cli",
    "valkey-cli",
    "etcdctl",
    "clickhouse-client",
    "cqlsh",
    "kafka-topics.sh",
    "kafka-console-consumer.sh",
    "kafka-console-producer.sh",
    "zkCli.sh",
    "promtool",
    "sleep",
];

/// The servers of the images in the table (and their entrypoint script).
const SERVERS: &[&str] = &[
    "postgres",
    "mysqld",
    "mariadbd",
    "mongod",
    "redis-server",
    "rabbitmq-server",
    "influxd",
    "grafana-server",
    "grafana",
    "mosquitto",
    "elasticsearch",
    "node-red",
    "hass",
    "valkey-server",
    "etcd",
    "nats-server",
    "kafka-server-start.sh",
    "zkServer.sh",
    "clickhouse-server",
    "emqx",
    "opensearch",
    "prometheus",
    "minio",
    "cassandra",
    "couchdb",
    "neo4j",
    "docker-entrypoint.sh",
];

/// The command runs a client or a one-shot tool, not the server: one of its words is a
/// [`CLIENT_TOOLS`] program (by file name) and none is a [`SERVERS`] one. Returns the first
/// such program.
fn runs_a_client(tokens: &[String]) -> Option<String> {
    let program = |t: &String| t.rsplit('/').next().unwrap_or("").to_string();
    let programs: Vec<String> = tokens.iter().map(program).collect();
    if programs.iter().any(|p| SERVERS.contains(&p.as_str())) {
        return None;
    }
    programs.into_iter().find(|p| CLIENT_TOOLS.contains(&p.as_str()))
}

/// The value after the last `flag` in `tokens` (`--flag value` or `--flag=value`); `""` when
/// the flag ends the line.
fn flag_value<'t>(tokens: &'t [String], flag: &str) -> Option<&'t str> {
    let eq = format!("{flag}=");
    tokens.iter().enumerate().rev().find_map(|(i, t)| {
        if t == flag {
            Some(tokens.get(i + 1).map(String::as_str).unwrap_or(""))
        } else {
            t.strip_prefix(eq.as_str())
        }
    })
}

/// The text of the configuration file a server reads, when the container can see it: the
/// visible file named like `path` (any directory: an init container may copy it).
fn config_text<'a>(w: &Workload<'a>, path: &str) -> Option<&'a str> {
    let file = path.rsplit('/').next()?;
    w.config_files.iter().find(|(name, _)| *name == file).map(|(_, text)| *text)
}

/// The directives of a configuration file in `name value…` lines (`redis.conf`,
/// `mosquitto.conf`): (name, rest of the line without quotes), comments and blank lines left out.
fn directives(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            (k.to_ascii_lowercase(), v.to_string())
        })
        .collect()
}

/// Why a Redis container is a cache that keeps nothing on disk, if it is (see [`classify`]):
/// the command-line flags override a visible configuration file (`redis-server redis.conf
/// --save ""`), the last `save` wins.
fn redis_cache(tokens: &[String], w: &Workload<'_>) -> Option<String> {
    let env = |k: &str| w.env.iter().rev().find(|(n, _)| *n == k).and_then(|(_, v)| *v);
    if env("REDIS_RDB_POLICY_DISABLED") == Some("yes") && env("REDIS_AOF_ENABLED") == Some("no") {
        return Some(
            "is told to keep nothing on disk (`REDIS_RDB_POLICY_DISABLED=yes`, \
             `REDIS_AOF_ENABLED=no`)"
                .to_string(),
        );
    }
    // `redis-server [config file] [--flag value…]`: the file is the first word after the
    // server that ends in `.conf`.
    let server = tokens.iter().position(|t| t.rsplit('/').next() == Some("redis-server"));
    let file = tokens[server.map_or(0, |i| i + 1)..]
        .iter()
        .take_while(|t| !t.starts_with("--"))
        .find(|t| t.ends_with(".conf"));
    let mut settings: Vec<(String, String)> =
        file.and_then(|f| config_text(w, f)).map(directives).unwrap_or_default();
    for flag in ["save", "appendonly", "maxmemory-policy"] {
        if let Some(v) = flag_value(tokens, &format!("--{flag}")) {
            settings.push((flag.to_string(), v.to_string()));
        }
    }
    let last = |k: &str| settings.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let aof = last("appendonly").is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    if aof {
        return None;
    }
    match (last("save"), last("maxmemory-policy")) {
        (Some(""), _) => Some("keeps nothing on disk (`save \"\"` and no `appendonly yes`)".into()),
        (None, Some(p)) if p.to_ascii_lowercase().starts_with("allkeys-") => {
            Some(format!("is a cache (`maxmemory-policy {p}` with no `save` or `appendonly yes`)"))
        }
        _ => None,
    }
}

/// Why a MongoDB container is an arbiter, if it is (see [`classify`]).
fn mongo_arbiter(tokens: &[String], w: &Workload<'_>) -> Option<String> {
    let env = |k: &str| w.env.iter().rev().find(|(n, _)| *n == k).and_then(|(_, v)| *v);
    if env("MONGODB_REPLICA_SET_MODE").is_some_and(|m| m.eq_ignore_ascii_case("arbiter")) {
        return Some("is a replica-set arbiter (`MONGODB_REPLICA_SET_MODE=arbiter`)".into());
    }
    let repl_set = flag_value(tokens, "--replSet").is_some_and(|v| !v.is_empty());
    let named = w.name.is_some_and(|n| {
        n.split(|c: char| !c.is_ascii_alphanumeric()).any(|p| p.eq_ignore_ascii_case("arbiter"))
    });
    (repl_set && named).then(|| {
        format!("is a replica-set arbiter (`--replSet`, named `{}`)", w.name.unwrap_or_default())
    })
}

/// Why a Mosquitto container writes nothing to its data directory, if it does not: the broker
/// persists only with `persistence true` (mosquitto.conf(5); the default is false).
fn mosquitto_not_persistent(tokens: &[String], dir: &str, w: &Workload<'_>) -> Option<String> {
    let path = flag_value(tokens, "-c")
        .or_else(|| flag_value(tokens, "--config-file"))
        .filter(|p| p.starts_with('/'))
        .map_or_else(|| format!("{dir}/mosquitto.conf"), normalize);
    if path == "/mosquitto-no-auth.conf" {
        return Some(
            "runs with /mosquitto-no-auth.conf, which does not set `persistence true`".into(),
        );
    }
    if let Some(text) = config_text(w, &path) {
        let persistent = directives(text)
            .iter()
            .rev()
            .find(|(k, _)| k == "persistence")
            .is_some_and(|(_, v)| v == "true");
        return (!persistent)
            .then(|| format!("has a configuration ({path}) without `persistence true`"));
    }
    let parent = path.rsplit_once('/').map_or("/", |(p, _)| p);
    let mounted = w.mounts.iter().any(|m| covers(m, parent) || covers(parent, m));
    (!mounted).then(|| {
        "runs with the image's own configuration, which does not set `persistence true`".into()
    })
}

/// `homeassistant/raspberrypi4-homeassistant`, `ghcr.io/home-assistant/qemux86-64-homeassistant`:
/// the per-machine builds of the same image.
fn is_home_assistant_machine(image: &ImageRef) -> bool {
    let org = match image.registry.as_str() {
        "docker.io" => "homeassistant/",
        "ghcr.io" => "home-assistant/",
        _ => return false,
    };
    image
        .repository
        .strip_prefix(org)
        .is_some_and(|r| r.ends_with("-homeassistant") && !r.contains('/'))
}

/// PostgreSQL's data directory up to 17 (and `PGDATA`'s old default).
const POSTGRES_OLD_DATA: &str = "/var/lib/postgresql/data";

/// The major version behind the official `postgres` image's tags without one: `latest`,
/// `alpine`, `alpine3.24`, `trixie`, `bookworm` are PostgreSQL 18 in docker-library's
/// official-images `library/postgres` (the snapshot `data/archdb.tsv` is generated from, 2026-08;
/// `latest` moved from 17 to 18 in September 2025).
fn postgres_alias_major(tag: &str) -> Option<u32> {
    let alias = tag == "latest"
        || tag == "trixie"
        || tag == "bookworm"
        || tag.strip_prefix("alpine").is_some_and(|v| v.is_empty() || v.starts_with('3'));
    alias.then_some(POSTGRES_LATEST_MAJOR)
}

/// The major version of `postgres:latest` (see [`postgres_alias_major`]).
const POSTGRES_LATEST_MAJOR: u32 = 18;

/// The leading number of a tag: `16` for `16.2-alpine`, `1` for `1.8`; `None` for `alpine`.
fn tag_major(tag: &str) -> Option<u32> {
    let digits: &str = &tag[..tag.bytes().take_while(u8::is_ascii_digit).count()];
    digits.parse().ok()
}

/// A path with duplicate and trailing slashes and `.` components removed.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

/// A mount at `mount` holds `path`: it is the path or one of its parents.
pub fn covers(mount: &str, path: &str) -> bool {
    covers_normalized(&normalize(mount), &normalize(path))
}

/// [`covers`] of paths already [`normalize`]d.
fn covers_normalized(mount: &str, path: &str) -> bool {
    mount == path || mount == "/" || path.strip_prefix(mount).is_some_and(|r| r.starts_with('/'))
}

/// The table's data paths that mean data alone, normalised once: [`is_data_path`] runs for
/// every mount of every service and container, and normalising the table per call was an
/// eighth of the time of a large run.
static DATA_PATHS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    KNOWN
        .iter()
        .flat_map(|k| match k.layout {
            Layout::Postgres => vec![k.data_path, "/var/lib/postgresql"],
            Layout::Influxdb => vec!["/var/lib/influxdb", "/var/lib/influxdb2"],
            Layout::Fixed => vec![k.data_path],
            Layout::FromFlag | Layout::MinioServer => vec![],
        })
        .filter(|d| !NOT_DATA_ALONE.contains(d))
        .map(normalize)
        .collect()
});

/// Directory names that hold data whatever the image: the catalogue's
/// `(?i)/(data|db|storage|persist)(/|$)`.
const DATA_COMPONENTS: &[&str] = &["data", "db", "storage", "persist"];

/// Data paths of the table that are too general to mean data in any image: `/config` is also
/// where many images read their settings.
const NOT_DATA_ALONE: &[&str] = &["/config"];

/// The path holds data whatever the image: it has a component `data`, `db`, `storage` or
/// `persist` (in any case), or it is (or is below) a data path of the table
/// (`/var/lib/mysql` in a Percona image is MySQL data too).
pub fn is_data_path(path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    if path.split('/').any(|c| DATA_COMPONENTS.iter().any(|d| c.eq_ignore_ascii_case(d))) {
        return true;
    }
    let path = normalize(path);
    DATA_PATHS.iter().any(|d| covers_normalized(d, &path))
}

/// Scratch directories: never data, whatever else matches.
const SCRATCH_PREFIXES: &[&str] =
    &["/tmp", "/var/tmp", "/run", "/var/run", "/cache", "/var/cache", "/dev/shm"];

/// Words that mark a directory or a volume as scratch space.
const SCRATCH_WORDS: &[&str] = &["tmp", "tmpfs", "scratch", "cache", "caches", "shm"];

/// Caches and scratch space: `/tmp`, `/var/tmp`, `/run`, `/var/run`, `/cache`, `/var/cache`,
/// `/dev/shm` and what is below them, and any path with a component named like scratch space
/// (`/data/cache`, `/home/app/.cache`, `/srv/tmp`).
pub fn is_scratch_path(path: &str) -> bool {
    let path = normalize(path);
    SCRATCH_PREFIXES.iter().any(|p| covers(p, &path))
        || path.split('/').any(|c| is_scratch_name(c.trim_start_matches('.')))
}

/// Whether a mount path names a file rather than a directory, as far as the path tells: its last
/// component has an extension other than `.d` (`./prometheus.yml`, `/var/lib/grafana/x.json`;
/// not `./conf.d`, not `./data`).
pub fn names_a_file(path: &str) -> bool {
    std::path::Path::new(path.trim_end_matches('/')).extension().is_some_and(|e| e != "d")
}

/// A volume (or directory) named like scratch space: one of its words (split on anything but
/// letters and digits) is `tmp`, `tmpfs`, `scratch`, `cache`, `caches` or `shm`.
pub fn is_scratch_name(name: &str) -> bool {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| SCRATCH_WORDS.iter().any(|s| w.eq_ignore_ascii_case(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(image: &str) -> Option<String> {
        lookup(image, &[], &[]).map(|s| s.data_path)
    }

    #[test]
    fn matches_images_by_normalised_name() {
        assert_eq!(data("postgres:17").as_deref(), Some("/var/lib/postgresql/data"));
        assert_eq!(
            data("docker.io/library/postgres:16").as_deref(),
            Some("/var/lib/postgresql/data")
        );
        assert_eq!(data("index.docker.io/library/mariadb:11").as_deref(), Some("/var/lib/mysql"));
        assert_eq!(data("grafana/grafana-oss:10.4.2").as_deref(), Some("/var/lib/grafana"));
        assert_eq!(
            data("docker.elastic.co/elasticsearch/elasticsearch:8.13.0").as_deref(),
            Some("/usr/share/elasticsearch/data")
        );
        assert_eq!(data("bitnami/postgresql:16").as_deref(), Some("/bitnami/postgresql"));
        assert_eq!(
            data("ghcr.io/home-assistant/home-assistant:stable").as_deref(),
            Some("/config")
        );
        assert_eq!(
            data("homeassistant/raspberrypi4-homeassistant:2024.5").as_deref(),
            Some("/config")
        );
        let mosquitto = classify(&Workload { image: "eclipse-mosquitto:2", ..Default::default() });
        assert_eq!(mosquitto.unwrap().image().data_path, "/mosquitto/data");
        assert_eq!(data("nginx"), None);
        assert_eq!(data("myregistry.local/postgres:16"), None);
        assert_eq!(data("${DB_IMAGE}"), None);
        assert_eq!(lookup("postgres:16-alpine", &[], &[]).unwrap().name, "postgres");
    }

    #[test]
    fn postgres_18_moved_its_data() {
        let pg18 = lookup("postgres:18-alpine", &[], &[]).unwrap();
        assert_eq!(pg18.data_path, "/var/lib/postgresql/18/docker");
        assert_eq!(pg18.mount_point, "/var/lib/postgresql");
        assert_eq!(data("postgres:17.2").as_deref(), Some("/var/lib/postgresql/data"));
        // the tags without a major are 18 in the official-images library
        assert_eq!(data("postgres:alpine").as_deref(), Some("/var/lib/postgresql/18/docker"));
        assert_eq!(data("postgres").as_deref(), Some("/var/lib/postgresql/18/docker"));
        assert_eq!(data("postgres:bookworm").as_deref(), Some("/var/lib/postgresql/18/docker"));
        // a digest alone: the version is unknown
        let digest = format!("postgres@sha256:{}", "a".repeat(64));
        assert_eq!(data(&digest).as_deref(), Some("/var/lib/postgresql/data"));
        assert!(pg18.refused_mount.is_some_and(|r| r.path == "/var/lib/postgresql/data"));
        let latest = lookup("postgres:latest", &[], &[]).unwrap().refused_mount.unwrap();
        assert!(latest.why.contains("`latest` is PostgreSQL 18"), "{}", latest.why);
        assert_eq!(lookup("postgres:17", &[], &[]).unwrap().refused_mount, None);
        assert_eq!(lookup("postgis/postgis:18-3.6", &[], &[]).unwrap().refused_mount, None);
        // PGDATA kept at the old path: that mount holds the data
        let env = [("PGDATA", Some("/var/lib/postgresql/data"))];
        assert_eq!(lookup("postgres:18", &env, &[]).unwrap().refused_mount, None);
        let env = [("PGDATA", Some("/srv/pg"))];
        assert!(lookup("postgres:18", &env, &[]).unwrap().refused_mount.is_some());
    }

    #[test]
    fn edge_stack_images() {
        assert_eq!(data("confluentinc/cp-kafka:7.6.0").as_deref(), Some("/var/lib/kafka/data"));
        assert_eq!(data("apache/kafka:3.7.0").as_deref(), Some("/tmp/kraft-combined-logs"));
        let env = [("KAFKA_LOG_DIRS", Some("/var/lib/kafka/data"))];
        assert_eq!(
            lookup("apache/kafka:3.7.0", &env, &[]).map(|s| s.data_path).as_deref(),
            Some("/var/lib/kafka/data")
        );
        let two = [("KAFKA_LOG_DIRS", Some("/a,/b"))];
        assert_eq!(lookup("apache/kafka:3.7.0", &two, &[]), None);
        assert_eq!(data("zookeeper:3.9").as_deref(), Some("/data"));
        assert_eq!(data("emqx/emqx:5.6.0").as_deref(), Some("/opt/emqx/data"));
        assert_eq!(
            data("clickhouse/clickhouse-server:24.3").as_deref(),
            Some("/var/lib/clickhouse")
        );
        assert_eq!(data("questdb/questdb:8.0.0").as_deref(), Some("/var/lib/questdb"));
        assert_eq!(
            data("opensearchproject/opensearch:2").as_deref(),
            Some("/usr/share/opensearch/data")
        );
        assert_eq!(data("valkey/valkey:8").as_deref(), Some("/data"));
        assert_eq!(data("prom/prometheus:v2.51.0").as_deref(), Some("/prometheus"));
        let tsdb = ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/data"];
        assert_eq!(
            lookup("prom/prometheus", &[], &tsdb).map(|s| s.data_path).as_deref(),
            Some("/data")
        );
        // NATS keeps streams only with JetStream
        assert_eq!(data("nats:2.10"), None);
        let js = ["-js", "-sd", "/data/jetstream"];
        assert_eq!(
            lookup("nats:2.10", &[], &js).map(|s| s.data_path).as_deref(),
            Some("/data/jetstream")
        );
        assert_eq!(
            lookup("nats:2.10", &[], &["--jetstream"]).map(|s| s.data_path).as_deref(),
            Some("/tmp/nats/jetstream")
        );
        // etcd: only from its flag or variable
        assert_eq!(data("registry.k8s.io/etcd:3.5.12-0"), None);
        let flag = ["etcd", "--data-dir=/var/lib/etcd"];
        assert_eq!(
            lookup("quay.io/coreos/etcd:v3.5.12", &[], &flag).map(|s| s.data_path).as_deref(),
            Some("/var/lib/etcd")
        );
        let env = [("ETCD_DATA_DIR", Some("/etcd-data"))];
        assert_eq!(
            lookup("gcr.io/etcd-development/etcd:v3.5.12", &env, &[]).map(|s| s.data_path),
            Some("/etcd-data".to_string())
        );
        let minio = ["server", "--console-address", ":9001", "/data"];
        assert_eq!(
            lookup("minio/minio", &[], &minio).map(|s| s.data_path).as_deref(),
            Some("/data")
        );
        assert!(lookup("minio/minio", &[], &minio).unwrap().declares_volume);
        assert!(lookup("minio/minio", &[], &["server", "/data/x"]).unwrap().declares_volume);
        assert!(!lookup("minio/minio", &[], &["server", "/export"]).unwrap().declares_volume);
        assert_eq!(lookup("minio/minio", &[], &["server", "http://minio{1...4}/data"]), None);
        assert_eq!(
            data("timescale/timescaledb-ha:pg16").as_deref(),
            Some("/home/postgres/pgdata/data")
        );
        assert_eq!(data("bitnami/kafka:3.7").as_deref(), Some("/bitnami/kafka"));
        // a client of the image keeps nothing
        assert_eq!(lookup("bitnami/etcd:3.5", &[], &["etcdctl", "get", "/"]), None);
    }

    #[test]
    fn influxdb_by_major_version() {
        assert_eq!(data("influxdb:1.8").as_deref(), Some("/var/lib/influxdb"));
        assert_eq!(data("influxdb:2-alpine").as_deref(), Some("/var/lib/influxdb2"));
        assert_eq!(data("influxdb:3-core"), None);
        assert_eq!(data("influxdb"), None);
    }

    #[test]
    fn env_overrides_the_data_path() {
        let env = [("PGDATA", Some("/var/lib/postgresql/data/pgdata/"))];
        let pg = lookup("postgres:16", &env, &[]).unwrap();
        assert_eq!(pg.data_path, "/var/lib/postgresql/data/pgdata");
        assert!(pg.declares_volume);
        let env = [("PGDATA", Some("/srv/pgdata"))];
        assert!(!lookup("postgres:16", &env, &[]).unwrap().declares_volume);
        let env = [("PGDATA", Some("${DATA}"))];
        assert_eq!(lookup("postgres:16", &env, &[]), None);
        let env = [("PGDATA", None)];
        assert_eq!(lookup("postgres:16", &env, &[]), None);
        let env = [("GF_PATHS_DATA", Some("/srv/grafana"))];
        assert_eq!(lookup("grafana/grafana", &env, &[]).unwrap().data_path, "/srv/grafana");
        // another image's variable changes nothing
        let env = [("PGDATA", Some("/elsewhere"))];
        assert_eq!(lookup("mysql:8", &env, &[]).unwrap().data_path, "/var/lib/mysql");
    }

    #[test]
    fn redis_without_persistence_is_a_cache() {
        assert_eq!(lookup("redis:7", &[], &["redis-server --save \"\" --appendonly no"]), None);
        assert_eq!(lookup("redis:7", &[], &["redis-server", "--save", ""]), None);
        assert_eq!(lookup("redis:7", &[], &["redis-server", "--save", "''"]), None);
        assert!(lookup("redis:7", &[], &["redis-server --save '' --appendonly yes"]).is_some());
        assert!(lookup("redis:7", &[], &["redis-server", "--save", "60", "1"]).is_some());
        assert!(lookup("redis:7", &[], &[]).is_some());
    }

    fn role(image: &str, args: &[&str], w: Workload<'_>) -> Option<Storage> {
        classify(&Workload { image, args, ..w })
    }

    fn keeps_nothing(s: Option<Storage>) -> bool {
        matches!(s, Some(Storage::KeepsNothing { .. }))
    }

    #[test]
    fn redis_caches_keep_nothing() {
        let d = Workload::default();
        assert!(keeps_nothing(role("redis:7", &["--maxmemory-policy", "allkeys-lru"], d)));
        assert!(keeps_nothing(role("redis:7", &["--maxmemory-policy=allkeys-lfu"], d)));
        // only keys with a TTL are evicted: the rest is data
        assert!(!keeps_nothing(role("redis:7", &["--maxmemory-policy", "volatile-lru"], d)));
        // the default snapshots still write dump.rdb
        assert!(!keeps_nothing(role("redis:7", &["redis-server", "--appendonly", "no"], d)));
        let lru_aof = ["--maxmemory-policy", "allkeys-lru", "--appendonly", "yes"];
        assert!(!keeps_nothing(role("redis:7", &lru_aof, d)));
        let lru_save = ["--save", "60 1", "--maxmemory-policy", "allkeys-lru"];
        assert!(!keeps_nothing(role("redis:7", &lru_save, d)));
        // a visible redis.conf, by file name; flags override it
        let files = [("redis.conf", "maxmemory 0\nsave \"\"\nappendonly no\n")];
        let w = Workload { config_files: &files, ..d };
        assert!(keeps_nothing(role("redis:7", &["redis-server", "/data/conf/redis.conf"], w)));
        let flags = ["redis-server", "/etc/redis.conf", "--appendonly", "yes"];
        assert!(!keeps_nothing(role("redis:7", &flags, w)));
        assert!(!keeps_nothing(role("redis:7", &["redis-server", "/etc/other.conf"], w)));
        let env = [("REDIS_RDB_POLICY_DISABLED", Some("yes")), ("REDIS_AOF_ENABLED", Some("no"))];
        assert!(keeps_nothing(role("bitnami/redis:7.2", &[], Workload { env: &env, ..d })));
        assert!(!keeps_nothing(role("bitnami/redis:7.2", &[], Workload { env: &env[..1], ..d })));
    }

    #[test]
    fn mongo_arbiters_keep_nothing() {
        let d = Workload::default();
        let arbiter = Workload { name: Some("mongo-arbiter"), ..d };
        assert!(keeps_nothing(role("mongo:7", &["--replSet", "rs0"], arbiter)));
        assert!(keeps_nothing(role("mongo:7", &["mongod --replSet=rs0"], arbiter)));
        // not a replica-set member, or not named as the arbiter
        assert!(!keeps_nothing(role("mongo:7", &[], arbiter)));
        let member = Workload { name: Some("mongo-0"), ..d };
        assert!(!keeps_nothing(role("mongo:7", &["--replSet", "rs0"], member)));
        let arbitrary = Workload { name: Some("arbitrary"), ..d };
        assert!(!keeps_nothing(role("mongo:7", &["--replSet", "rs0"], arbitrary)));
        let env = [("MONGODB_REPLICA_SET_MODE", Some("arbiter"))];
        assert!(keeps_nothing(role("bitnami/mongodb:7.0", &[], Workload { env: &env, ..d })));
        let env = [("MONGODB_REPLICA_SET_MODE", Some("secondary"))];
        assert!(!keeps_nothing(role("bitnami/mongodb:7.0", &[], Workload { env: &env, ..d })));
    }

    #[test]
    fn mosquitto_roles() {
        let d = Workload::default();
        // the image's own configuration: no persistence
        assert!(keeps_nothing(role("eclipse-mosquitto:2", &[], d)));
        // its own, not visible: may persist
        let mounted = Workload { mounts: &["/mosquitto/config"], ..d };
        assert!(!keeps_nothing(role("eclipse-mosquitto:2", &[], mounted)));
        let file = Workload { mounts: &["/mosquitto/config/mosquitto.conf"], ..d };
        assert!(!keeps_nothing(role("eclipse-mosquitto:2", &[], file)));
        let elsewhere = Workload { mounts: &["/etc/mqtt"], ..d };
        let args = ["mosquitto", "-c", "/etc/mqtt/broker.conf"];
        assert!(!keeps_nothing(role("eclipse-mosquitto:2", &args, elsewhere)));
        assert!(keeps_nothing(role("eclipse-mosquitto:2", &args, mounted)));
        // visible: it says
        let on = [("mosquitto.conf", "listener 1883\npersistence true\n")];
        let off = [("mosquitto.conf", "listener 1883\n# persistence true\n")];
        let w = Workload { config_files: &on, ..mounted };
        assert!(!keeps_nothing(role("eclipse-mosquitto:2", &[], w)));
        let w = Workload { config_files: &off, ..mounted };
        assert!(keeps_nothing(role("eclipse-mosquitto:2", &[], w)));
    }

    #[test]
    fn mirrors_of_docker_hub() {
        assert_eq!(data("public.ecr.aws/docker/library/redis:7.2").as_deref(), Some("/data"));
        assert_eq!(data("mirror.gcr.io/library/mongo:7").as_deref(), Some("/data/db"));
        assert_eq!(data("mirror.gcr.io/bitnami/redis:7.2").as_deref(), Some("/bitnami/redis/data"));
        assert_eq!(data("public.ecr.aws/bitnami/redis:7.2"), None);
    }

    #[test]
    fn clients_keep_no_data() {
        let mongo_shell = ["mongo mongo/rocketchat --eval \"rs.initiate()\""];
        assert_eq!(lookup("mongo:4.0", &[], &mongo_shell), None);
        assert_eq!(lookup("postgres:16", &[], &["pg_dump", "-h", "db", "app"]), None);
        assert_eq!(lookup("redis:7", &[], &["sh", "-c", "redis-cli -h redis ping"]), None);
        assert_eq!(lookup("postgres:16", &[], &["sleep", "infinity"]), None);
        // the server runs: still a database
        assert!(lookup("mongo:7", &[], &["mongod", "--replSet", "rs0"]).is_some());
        assert!(lookup("postgres:16", &[], &["postgres", "-c", "max_connections=50"]).is_some());
        assert!(lookup("mysql:8", &[], &["--character-set-server=utf8mb4"]).is_some());
        let both = ["sh -c 'mysqld & sleep 5; mysql -e \"select 1\"; wait'"];
        assert!(lookup("mysql:8", &[], &both).is_some());
    }

    #[test]
    fn mosquitto_persists_only_when_configured() {
        let w = Workload {
            image: "eclipse-mosquitto:2",
            mounts: &["/mosquitto"],
            ..Default::default()
        };
        let m = classify(&w).unwrap().keeps().unwrap();
        assert_eq!(m.config_dir.as_deref(), Some("/mosquitto/config"));
        let no_auth = ["mosquitto -c /mosquitto-no-auth.conf"];
        assert_eq!(lookup("eclipse-mosquitto:2", &[], &no_auth), None);
    }

    #[test]
    fn paths() {
        assert!(covers("/var/lib/postgresql", "/var/lib/postgresql/data"));
        assert!(covers("/var/lib/postgresql/data/", "/var/lib/postgresql/data"));
        assert!(!covers("/var/lib/postgresql/data/pgdata", "/var/lib/postgresql/data"));
        assert!(!covers("/var/lib/postgres", "/var/lib/postgresql/data"));
        assert!(is_data_path("/data"));
        assert!(is_data_path("/srv/DB/x"));
        assert!(is_data_path("/var/lib/app/storage"));
        assert!(!is_data_path("/database"));
        assert!(!is_data_path("/persistence"));
        assert!(!is_data_path("data"));
        assert!(is_data_path("/var/lib/mysql"));
        assert!(is_data_path("/var/lib/influxdb"));
        assert!(is_data_path("/var/lib/grafana/"));
        assert!(!is_data_path("/config"));
        assert!(!is_data_path("/var/lib"));
        for p in ["/tmp", "/tmp/x", "/var/run/secrets", "/run", "/var/cache/nginx", "/dev/shm"] {
            assert!(is_scratch_path(p), "{p}");
        }
        assert!(is_scratch_path("/data/cache"));
        assert!(is_scratch_path("/home/app/.cache"));
        assert!(!is_scratch_path("/data"));
        assert!(!is_scratch_path("/srv/temperature-data"));
        assert!(!is_scratch_path("/runner/data"));
        assert!(is_scratch_name("tmp"));
        assert!(is_scratch_name("redis-cache"));
        assert!(is_scratch_name("scratch_space"));
        assert!(!is_scratch_name("data"));
        assert!(!is_scratch_name("template"));
    }
}
