//! The saved instance profiles: one JSON file in the user's config directory, saved atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::profile::InstanceProfile;

/// Environment variable that overrides the config directory (tests use temporary folders).
pub const CONFIG_DIR_ENV: &str = "FLOWBENCH_CONFIG_DIR";

/// The file name of the saved instances.
const FILE_NAME: &str = "instances.json";

/// Why the instances file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum InstancesError {
    /// No config directory could be determined.
    #[error("no config directory: set {CONFIG_DIR_ENV}")]
    NoConfigDir,
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{path}: invalid instances file: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
}

/// The user's config directory: `$FLOWBENCH_CONFIG_DIR`, else the platform's (e.g.
/// `~/.config/flowbench` on Linux).
pub fn config_dir() -> Result<PathBuf, InstancesError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "flowbench")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or(InstancesError::NoConfigDir)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct InstancesFile {
    #[serde(default)]
    instances: Vec<InstanceProfile>,
}

/// The saved instances of one config directory.
#[derive(Debug, Clone)]
pub struct Instances {
    path: PathBuf,
    profiles: Vec<InstanceProfile>,
}

impl Instances {
    /// Loads the instances of the default [`config_dir`] (none when the file does not exist).
    pub fn load_default() -> Result<Self, InstancesError> {
        Self::load(&config_dir()?)
    }

    /// Loads the instances saved in `dir` (none when the file does not exist).
    pub fn load(dir: &Path) -> Result<Self, InstancesError> {
        let path = dir.join(FILE_NAME);
        let profiles = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<InstancesFile>(&bytes)
                    .map_err(|source| InstancesError::Parse {
                        path: path.clone(),
                        source,
                    })?
                    .instances
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(InstancesError::Io { path, source }),
        };
        Ok(Self { path, profiles })
    }

    /// All profiles, sorted by name.
    pub fn list(&self) -> &[InstanceProfile] {
        &self.profiles
    }

    /// The profile named `name`.
    pub fn get(&self, name: &str) -> Option<&InstanceProfile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profiles whose host (with its port when it has one) is every one of `hosts`,
    /// as a flow's connector steps name them (`contoso.operations.dynamics.com`).
    pub fn with_hosts(&self, hosts: &[String]) -> Vec<&InstanceProfile> {
        if hosts.is_empty() {
            return Vec::new();
        }
        self.profiles
            .iter()
            .filter(|profile| {
                let host = profile.url.host_str().unwrap_or_default();
                let with_port = profile
                    .url
                    .port()
                    .map(|port| format!("{host}:{port}"))
                    .unwrap_or_else(|| host.to_owned());
                hosts
                    .iter()
                    .all(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&with_port))
            })
            .collect()
    }

    /// Adds or replaces the profile with the same name.
    pub fn upsert(&mut self, profile: InstanceProfile) {
        self.profiles.retain(|p| p.name != profile.name);
        self.profiles.push(profile);
        self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Removes the profile named `name`; returns it when it existed.
    pub fn remove(&mut self, name: &str) -> Option<InstanceProfile> {
        let at = self.profiles.iter().position(|p| p.name == name)?;
        Some(self.profiles.remove(at))
    }

    /// Writes the file atomically (temporary file in the same folder, then rename).
    pub fn save(&self) -> Result<(), InstancesError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| InstancesError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let file = InstancesFile {
            instances: self.profiles.clone(),
        };
        let mut bytes =
            serde_json::to_vec_pretty(&file).map_err(|source| InstancesError::Parse {
                path: self.path.clone(),
                source,
            })?;
        bytes.push(b'\n');
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
        temp.write_all(&bytes).map_err(io(temp.path()))?;
        temp.as_file().sync_all().map_err(io(temp.path()))?;
        temp.persist(&self.path).map_err(|e| InstancesError::Io {
            path: self.path.clone(),
            source: e.error,
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::profile::AuthMethod;
    use crate::odata::service_root::ServiceKind;

    fn profile(name: &str) -> InstanceProfile {
        InstanceProfile::new(
            name,
            ServiceKind::FinanceOperations,
            "contoso.operations.dynamics.com",
            None,
            Some("contoso.onmicrosoft.com".into()),
            Some("client".into()),
            AuthMethod::ClientSecret,
            Vec::new(),
        )
        .unwrap()
    }

    #[test]
    fn saves_loads_replaces_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let mut instances = Instances::load(dir.path()).unwrap();
        assert!(instances.list().is_empty());
        instances.upsert(profile("prod"));
        instances.upsert(profile("dev"));
        let mut changed = profile("prod");
        changed.scopes = vec!["api".into()];
        instances.upsert(changed.clone());
        instances.save().unwrap();

        let mut loaded = Instances::load(dir.path()).unwrap();
        let names: Vec<_> = loaded.list().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(loaded.get("prod"), Some(&changed));
        assert!(loaded.remove("dev").is_some());
        assert!(loaded.remove("dev").is_none());
        loaded.save().unwrap();
        assert_eq!(Instances::load(dir.path()).unwrap().list().len(), 1);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }

    #[test]
    fn a_broken_file_is_an_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{ not json").unwrap();
        assert!(matches!(
            Instances::load(dir.path()),
            Err(InstancesError::Parse { .. })
        ));
    }
}
