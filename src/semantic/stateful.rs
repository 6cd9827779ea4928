//! Where well-known stateful images keep their data, which mount paths hold data and which are
//! scratch space (the data-path table of `rules/ephemeral-storage-for-data.md`). One table for
//! Kubernetes and Compose.
//!
//! Images are matched by their normalised name ([`crate::values::image_ref`]), so `postgres`,
//! `docker.io/library/postgres:16` and `index.docker.io/library/postgres` are the same image.
//! Each data path was checked against the image's Dockerfile (`VOLUME`, `ENV`) or its
//! documentation; the few that could not be are marked "unverified" in the table.

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
        }
    }
}

/// How the data path depends on the tag.
#[derive(Clone, Copy)]
enum Layout {
    Fixed,
    /// `postgres`: 18+ keeps `PGDATA` in `/var/lib/postgresql/<major>/docker` under
    /// `VOLUME /var/lib/postgresql`; earlier majors use `/var/lib/postgresql/data`.
    Postgres,
    /// `influxdb`: 1.x `/var/lib/influxdb`, 2.x `/var/lib/influxdb2`; 3.x (and `latest` since
    /// 2026) keeps its data where `--data-dir`/the object store says, so it is not in the table.
    Influxdb,
}

struct Known {
    /// Normalised names, `registry/repository`.
    names: &'static [&'static str],
    data_path: &'static str,
    declares_volume: bool,
    /// An environment variable that moves the data directory.
    env: Option<&'static str>,
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
        layout: Layout::Fixed,
        config_dir: None,
    }
}

/// The data-path table. Sources: the images' Dockerfiles (docker-library, MariaDB,
/// eclipse/mosquitto, node-red-docker, bitnami/containers) and documentation (Grafana,
/// Elastic, Home Assistant).
const KNOWN: &[Known] = &[
    // docker-library/postgres: `ENV PGDATA /var/lib/postgresql/data`, `VOLUME` the same (≤ 17);
    // 18+: `ENV PGDATA /var/lib/postgresql/18/docker`, `VOLUME /var/lib/postgresql`.
    Known {
        names: &["docker.io/library/postgres"],
        data_path: "/var/lib/postgresql/data",
        declares_volume: true,
        env: Some("PGDATA"),
        layout: Layout::Postgres,
        config_dir: None,
    },
    // `FROM postgres`: same PGDATA and VOLUME. Their PostgreSQL 18 layout is unverified, so the
    // tag is not read: a mount at /var/lib/postgresql or /var/lib/postgresql/data both count.
    Known {
        names: &["docker.io/postgis/postgis", "docker.io/timescale/timescaledb"],
        data_path: "/var/lib/postgresql/data",
        declares_volume: true,
        env: Some("PGDATA"),
        layout: Layout::Fixed,
        config_dir: None,
    },
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
    // docker-library/mongo: `VOLUME /data/db /data/configdb` (configdb is for config servers).
    known(&["docker.io/library/mongo"], "/data/db", true),
    // docker-library/redis: `VOLUME /data` (the working directory, where dump.rdb goes).
    known(&["docker.io/library/redis"], "/data", true),
    // influxdata-docker: 1.x `VOLUME /var/lib/influxdb`, 2.x `VOLUME /var/lib/influxdb2 …`.
    Known {
        names: &["docker.io/library/influxdb"],
        data_path: "/var/lib/influxdb2",
        declares_volume: true,
        env: None,
        layout: Layout::Influxdb,
        config_dir: None,
    },
    // Grafana: `GF_PATHS_DATA=/var/lib/grafana`, no VOLUME ("all your Grafana data disappears
    // as soon as you stop your container" without a volume, Grafana docs).
    Known {
        names: &[
            "docker.io/grafana/grafana",
            "docker.io/grafana/grafana-oss",
            "docker.io/grafana/grafana-enterprise",
        ],
        data_path: "/var/lib/grafana",
        declares_volume: false,
        env: Some("GF_PATHS_DATA"),
        layout: Layout::Fixed,
        config_dir: None,
    },
    // eclipse/mosquitto docker/2.0: `VOLUME ["/mosquitto/data", "/mosquitto/log"]`. It writes
    // there only with `persistence true`, which neither the image's stock mosquitto.conf nor
    // its /mosquitto-no-auth.conf sets (the default is false, mosquitto.conf(5)).
    Known {
        names: &["docker.io/library/eclipse-mosquitto"],
        data_path: "/mosquitto/data",
        declares_volume: true,
        env: None,
        layout: Layout::Fixed,
        config_dir: Some("/mosquitto/config"),
    },
    // node-red-docker: `VOLUME ["/data"]` (flows, credentials, installed nodes).
    known(&["docker.io/nodered/node-red"], "/data", true),
    // docker-library/rabbitmq: `VOLUME $RABBITMQ_DATA_DIR` (/var/lib/rabbitmq).
    known(&["docker.io/library/rabbitmq"], "/var/lib/rabbitmq", true),
    // Elastic's docs bind-mount /usr/share/elasticsearch/data; no VOLUME (unverified in the
    // Dockerfile, which Elastic generates).
    known(
        &["docker.io/library/elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch"],
        "/usr/share/elasticsearch/data",
        false,
    ),
    // home-assistant/core Dockerfile: `WORKDIR /config`, no VOLUME. The per-machine images
    // (`raspberrypi4-homeassistant`…) are matched in `lookup`.
    known(
        &["docker.io/homeassistant/home-assistant", "ghcr.io/home-assistant/home-assistant"],
        "/config",
        false,
    ),
];

const HOME_ASSISTANT_DATA: &str = "/config";

/// The data of a well-known stateful image, or `None` when the image is not in the table, its
/// reference has an unresolved variable, its data path depends on something edgelint cannot see
/// (an override with a variable, an InfluxDB version it does not know), or it is told not to
/// persist anything (Redis with `--save ""` and no `--appendonly yes`).
///
/// `env` is the container's environment as written (`None` for a value from elsewhere);
/// `args` its command and arguments (entrypoint, command, args), each as written.
pub fn lookup(image: &str, env: &[(&str, Option<&str>)], args: &[&str]) -> Option<StatefulImage> {
    let image = ImageRef::parse(image).ok()?;
    let name = hub_name(&image);
    let Some(entry) = KNOWN.iter().find(|k| k.names.contains(&name.as_str())) else {
        return is_home_assistant_machine(&image).then(|| StatefulImage {
            name: image.familiar_name(),
            data_path: HOME_ASSISTANT_DATA.to_string(),
            mount_point: HOME_ASSISTANT_DATA.to_string(),
            declares_volume: false,
            config_dir: None,
        });
    };
    let tokens = tokens(args);
    if runs_a_client(&tokens)
        || name.ends_with("/redis") && redis_persistence_disabled(&tokens)
        || tokens.iter().any(|t| t == "/mosquitto-no-auth.conf")
    {
        return None;
    }
    let major = image.tag.as_deref().and_then(tag_major);
    let (mut data_path, mut mount_point) = match entry.layout {
        Layout::Fixed => (entry.data_path.to_string(), entry.data_path.to_string()),
        Layout::Postgres => match major {
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
    };
    // The image's VOLUME sits at the default mount point.
    let mut declares_volume = entry.declares_volume;
    if let Some(var) = entry.env {
        if let Some((_, value)) = env.iter().rev().find(|(k, _)| *k == var) {
            let value = (*value)?;
            if image_ref::has_variable(value) || !value.starts_with('/') {
                return None;
            }
            let moved = normalize(value);
            declares_volume = declares_volume && covers(&mount_point, &moved);
            data_path = moved;
            mount_point = data_path.clone();
        }
    }
    Some(StatefulImage {
        name: image.familiar_name(),
        data_path,
        mount_point,
        declares_volume,
        config_dir: entry.config_dir.map(str::to_string),
    })
}

/// A Kubernetes container's environment and command words, as [`lookup`] reads them.
pub fn container_env_args(
    c: &crate::model::kubernetes::Container,
) -> (Vec<(&str, Option<&str>)>, Vec<&str>) {
    let env = c
        .env
        .iter()
        .map(|e| (e.name.value.as_str(), e.value.as_ref().map(|v| v.value.as_str())))
        .collect();
    let args = c.command.iter().chain(&c.args).map(|t| t.value.as_str()).collect();
    (env, args)
}

/// A Compose service's environment and entrypoint/command words, as [`lookup`] reads them.
pub fn service_env_args(
    service: &crate::model::compose::Service,
) -> (Vec<(&str, Option<&str>)>, Vec<&str>) {
    let env = service
        .environment
        .iter()
        .map(|e| (e.name.value.as_str(), e.value.as_ref().map(|v| v.value.as_str())))
        .collect();
    let args = [&service.entrypoint, &service.command]
        .into_iter()
        .flatten()
        .flat_map(|c| c.texts())
        .map(|t| t.value.as_str())
        .collect();
    (env, args)
}

/// The data of a Compose service's image ([`lookup`]); `None` with `build` (then `image` names
/// what is built, not a known upstream image).
pub fn service_lookup(service: &crate::model::compose::Service) -> Option<StatefulImage> {
    if service.build.is_some() {
        return None;
    }
    let (env, args) = service_env_args(service);
    lookup(&service.image.as_ref()?.value, &env, &args)
}

/// The Docker Hub name of an image, also when it is pulled through a known mirror of Docker
/// Hub (`public.ecr.aws/docker/library/redis`, `mirror.gcr.io/library/redis`).
fn hub_name(image: &ImageRef) -> String {
    match image.registry.as_str() {
        "public.ecr.aws" => match image.repository.strip_prefix("docker/library/") {
            Some(r) if !r.contains('/') => format!("docker.io/library/{r}"),
            _ => image.name(),
        },
        "mirror.gcr.io" if !image.repository.contains('/') => {
            format!("docker.io/library/{}", image.repository)
        }
        "mirror.gcr.io" => format!("docker.io/{}", image.repository),
        _ => image.name(),
    }
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
    "docker-entrypoint.sh",
];

/// The command runs a client or a one-shot tool, not the server: one of its words is a
/// [`CLIENT_TOOLS`] program (by file name) and none is a [`SERVERS`] one.
fn runs_a_client(tokens: &[String]) -> bool {
    let program = |t: &String| t.rsplit('/').next().unwrap_or("").to_string();
    let programs: Vec<String> = tokens.iter().map(program).collect();
    programs.iter().any(|p| CLIENT_TOOLS.contains(&p.as_str()))
        && !programs.iter().any(|p| SERVERS.contains(&p.as_str()))
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

/// The leading number of a tag: `16` for `16.2-alpine`, `1` for `1.8`; `None` for `alpine`.
fn tag_major(tag: &str) -> Option<u32> {
    let digits: &str = &tag[..tag.bytes().take_while(u8::is_ascii_digit).count()];
    digits.parse().ok()
}

/// Redis told to keep nothing on disk: `--save ""` (or `''`) and no `--appendonly yes`.
fn redis_persistence_disabled(tokens: &[String]) -> bool {
    let after = |flag: &str| -> Option<&str> {
        let i = tokens.iter().rposition(|t| t == flag)?;
        Some(tokens.get(i + 1).map(String::as_str).unwrap_or(""))
    };
    after("--save") == Some("") && after("--appendonly") != Some("yes")
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
    let (mount, path) = (normalize(mount), normalize(path));
    mount == path || mount == "/" || path.strip_prefix(&mount).is_some_and(|r| r.starts_with('/'))
}

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
    path.split('/').any(|c| DATA_COMPONENTS.iter().any(|d| c.eq_ignore_ascii_case(d)))
        || KNOWN
            .iter()
            .flat_map(|k| match k.layout {
                Layout::Postgres => vec![k.data_path, "/var/lib/postgresql"],
                Layout::Influxdb => vec!["/var/lib/influxdb", "/var/lib/influxdb2"],
                Layout::Fixed => vec![k.data_path],
            })
            .filter(|d| !NOT_DATA_ALONE.contains(d))
            .any(|d| covers(d, path))
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
        assert_eq!(data("postgres").as_deref(), Some("/var/lib/postgresql/data"));
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
        assert_eq!(data("eclipse-mosquitto:2").as_deref(), Some("/mosquitto/data"));
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
        // no major in the tag: the old path, which a mount at /var/lib/postgresql also covers
        assert_eq!(data("postgres:alpine").as_deref(), Some("/var/lib/postgresql/data"));
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
        let m = lookup("eclipse-mosquitto:2", &[], &[]).unwrap();
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
