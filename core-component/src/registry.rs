//! The plugin registry: metadata the core stores and checks, never code it calls.
//!
//! A plugin is a separate component; a host registers its `info` here. The core uses the claims
//! for one thing only: schema summaries show a claimed column under the plugin's display type and
//! name the owning plugin. Registration is refused, with a [`Refusal`] a host can branch on, for a
//! malformed id or version, a core API this core does not provide, a duplicate id, or an extension
//! type another plugin already claims.

pub use crate::error::Refusal;
use crate::error::{CoreError, Result};
use crate::schema::SchemaSummary;

/// The core API version this core provides (the WIT packages' version).
pub const CORE_API_VERSION: &str = "0.1.0";

/// An Arrow extension type a plugin claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionClaim {
    /// The extension name, e.g. `geoarrow.wkb`.
    pub name: String,
    /// How a claimed column's type reads in summaries, e.g. `Geometry<wkb>`.
    pub display_type: String,
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// Reverse-DNS id ending in the major version, e.g. `io.arrow.plugin.geo.v1`.
    pub id: String,
    /// The plugin's semantic version.
    pub version: String,
    /// The core API version it was built against.
    pub core_api: String,
    /// The extension types it claims.
    pub extension_types: Vec<ExtensionClaim>,
    /// A one-line description.
    pub description: String,
}

fn refuse(refusal: Refusal, message: String) -> CoreError {
    CoreError::Plugin { refusal, message }
}

/// `MAJOR.MINOR.PATCH` with an optional `-pre` or `+build` suffix, as numbers.
fn semver(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| {
        // Leading zeros are not semver; `01` would compare equal to `1` and hide a typo.
        if p.is_empty() || (p.len() > 1 && p.starts_with('0')) { None } else { p.parse::<u64>().ok() }
    });
    let triple = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(triple)
}

/// A plugin id: at least three dot-separated segments of lowercase letters, digits and `-`, each
/// starting with a letter, the last one `v` and the major version (`io.arrow.plugin.geo.v1`).
fn check_id(id: &str) -> Result<()> {
    let segments: Vec<&str> = id.split('.').collect();
    let segment_ok = |s: &&str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let last_ok = segments
        .last()
        .and_then(|s| s.strip_prefix('v'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if segments.len() >= 3 && segments.iter().all(segment_ok) && last_ok && id.len() <= 128 {
        Ok(())
    } else {
        Err(refuse(
            Refusal::MalformedId,
            format!(
                "plugin id {id:?} is malformed: use lowercase reverse-DNS segments ending in the major version, \
                 e.g. \"io.arrow.plugin.geo.v1\""
            ),
        ))
    }
}

/// Whether a plugin built against core API `wanted` runs on this core: same major version (for
/// `0.x`, same minor too, as semver treats `0.x` minors as breaking), and not newer.
fn compatible(wanted: (u64, u64, u64), have: (u64, u64, u64)) -> bool {
    let same_line = if have.0 == 0 { wanted.0 == 0 && wanted.1 == have.1 } else { wanted.0 == have.0 };
    same_line && wanted <= have
}

/// The plugins registered with one core instance.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    plugins: Vec<PluginInfo>,
}

impl Registry {
    /// Check `info` as [`Registry::register`] would, without registering it.
    pub fn validate(&self, info: &PluginInfo) -> Result<()> {
        check_id(&info.id)?;
        let version_error = |what: &str, v: &str| {
            refuse(Refusal::MalformedVersion, format!("plugin {:?}: {what} {v:?} is not MAJOR.MINOR.PATCH", info.id))
        };
        semver(&info.version).ok_or_else(|| version_error("version", &info.version))?;
        let wanted = semver(&info.core_api).ok_or_else(|| version_error("core-api", &info.core_api))?;
        let have = semver(CORE_API_VERSION).ok_or_else(|| CoreError::Internal("the core's own API version".into()))?;
        if !compatible(wanted, have) {
            return Err(refuse(
                Refusal::IncompatibleCoreApi,
                format!(
                    "plugin {:?} was built against core API {}; this core provides {CORE_API_VERSION}",
                    info.id, info.core_api
                ),
            ));
        }
        if self.plugins.iter().any(|p| p.id == info.id) {
            return Err(refuse(Refusal::DuplicateId, format!("a plugin with id {:?} is already registered", info.id)));
        }
        for (i, claim) in info.extension_types.iter().enumerate() {
            if claim.name.trim().is_empty() || claim.display_type.trim().is_empty() {
                return Err(refuse(
                    Refusal::MalformedClaim,
                    format!("plugin {:?}: extension claim {i} has an empty name or display type", info.id),
                ));
            }
            if info.extension_types.iter().take(i).any(|c| c.name == claim.name) {
                return Err(refuse(
                    Refusal::MalformedClaim,
                    format!("plugin {:?} claims extension type {:?} twice", info.id, claim.name),
                ));
            }
            if let Some(owner) = self.owner_of(&claim.name) {
                return Err(refuse(
                    Refusal::ExtensionClaimed,
                    format!("extension type {:?} is already claimed by plugin {:?}", claim.name, owner.id),
                ));
            }
        }
        Ok(())
    }

    /// Register a plugin after [`Registry::validate`].
    pub fn register(&mut self, info: PluginInfo) -> Result<()> {
        self.validate(&info)?;
        self.plugins.push(info);
        Ok(())
    }

    /// Remove the plugin with this id.
    pub fn unregister(&mut self, id: &str) -> Result<PluginInfo> {
        let at = self
            .plugins
            .iter()
            .position(|p| p.id == id)
            .ok_or_else(|| refuse(Refusal::NotRegistered, format!("no plugin with id {id:?} is registered")))?;
        Ok(self.plugins.remove(at))
    }

    /// The registered plugins, in registration order.
    pub fn list(&self) -> &[PluginInfo] {
        &self.plugins
    }

    /// The plugin claiming an extension type.
    pub fn owner_of(&self, extension: &str) -> Option<&PluginInfo> {
        self.plugins.iter().find(|p| p.extension_types.iter().any(|c| c.name == extension))
    }

    /// Mark the summary's claimed columns: the plugin's display type and id. Unclaimed columns
    /// keep their storage type.
    pub fn mark(&self, summary: &mut SchemaSummary) {
        for column in &mut summary.columns {
            let claim = column.extension_name.as_deref().and_then(|name| {
                let owner = self.owner_of(name)?;
                let claim = owner.extension_types.iter().find(|c| c.name == name)?;
                Some((owner.id.clone(), claim.display_type.clone()))
            });
            match claim {
                Some((owner, display)) => {
                    column.owner_plugin = Some(owner);
                    column.arrow_type = display;
                }
                None => {
                    column.owner_plugin = None;
                    column.arrow_type = column.storage_type.clone();
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn info(id: &str, claims: &[&str]) -> PluginInfo {
        PluginInfo {
            id: id.into(),
            version: "1.2.3".into(),
            core_api: CORE_API_VERSION.into(),
            extension_types: claims
                .iter()
                .map(|c| ExtensionClaim { name: (*c).into(), display_type: format!("Display<{c}>") })
                .collect(),
            description: "test".into(),
        }
    }

    fn refusal(r: Result<impl std::fmt::Debug>) -> Refusal {
        match r {
            Err(CoreError::Plugin { refusal, .. }) => refusal,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn ids_must_be_reverse_dns_ending_in_a_major_version() {
        for good in ["io.arrow.plugin.geo.v1", "org.example.uuid-tools.v12", "a.b.v0"] {
            assert!(check_id(good).is_ok(), "{good}");
        }
        for bad in ["", "geo", "io.arrow.geo", "io.arrow.geo.v", "io.Arrow.geo.v1", "io..geo.v1", "io.arrow.1geo.v1"] {
            assert_eq!(refusal(check_id(bad)), Refusal::MalformedId, "{bad}");
        }
    }

    #[test]
    fn versions_are_semver_and_the_core_api_must_match_this_cores_line() {
        assert_eq!(semver("1.2.3"), Some((1, 2, 3)));
        assert_eq!(semver("1.2.3-beta+7"), Some((1, 2, 3)));
        for bad in ["1.2", "1.2.3.4", "01.2.3", "a.b.c", ""] {
            assert_eq!(semver(bad), None, "{bad}");
        }
        assert!(compatible((0, 1, 0), (0, 1, 4)));
        assert!(!compatible((0, 1, 5), (0, 1, 4)), "newer than the core");
        assert!(!compatible((0, 2, 0), (0, 1, 4)), "0.x minors are breaking");
        assert!(compatible((1, 0, 0), (1, 3, 0)));
        assert!(!compatible((2, 0, 0), (1, 3, 0)));
        let r = Registry::default();
        let mut i = info("io.arrow.plugin.geo.v1", &["geoarrow.wkb"]);
        i.core_api = "0.2.0".into();
        assert_eq!(refusal(r.validate(&i)), Refusal::IncompatibleCoreApi);
        i.core_api = "zero".into();
        assert_eq!(refusal(r.validate(&i)), Refusal::MalformedVersion);
        i.core_api = CORE_API_VERSION.into();
        i.version = "1".into();
        assert_eq!(refusal(r.validate(&i)), Refusal::MalformedVersion);
    }

    #[test]
    fn register_list_unregister_round_trip_with_every_refusal() {
        let mut r = Registry::default();
        r.register(info("io.arrow.plugin.geo.v1", &["geoarrow.wkb", "geoarrow.point"])).unwrap();
        r.register(info("org.example.uuid.v1", &["arrow.uuid"])).unwrap();
        let ids: Vec<&str> = r.list().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["io.arrow.plugin.geo.v1", "org.example.uuid.v1"]);
        assert_eq!(refusal(r.register(info("io.arrow.plugin.geo.v1", &["x.y"]))), Refusal::DuplicateId);
        assert_eq!(refusal(r.register(info("io.other.geo.v1", &["geoarrow.point"]))), Refusal::ExtensionClaimed);
        // A plugin of functions only (analytics) claims no type: that is allowed.
        assert_eq!(r.register(info("io.other.functions.v1", &[])), Ok(()));
        assert_eq!(r.unregister("io.other.functions.v1").unwrap().id, "io.other.functions.v1");
        assert_eq!(refusal(r.register(info("io.other.geo.v1", &["a.b", "a.b"]))), Refusal::MalformedClaim);
        assert_eq!(refusal(r.register(info("io.other.geo.v1", &[" "]))), Refusal::MalformedClaim);
        assert_eq!(r.list().len(), 2, "refused registrations change nothing");
        assert_eq!(r.unregister("org.example.uuid.v1").unwrap().id, "org.example.uuid.v1");
        assert_eq!(refusal(r.unregister("org.example.uuid.v1")), Refusal::NotRegistered);
        // Its extension type is free again.
        r.register(info("io.other.uuid.v2", &["arrow.uuid"])).unwrap();
        assert_eq!(r.owner_of("arrow.uuid").map(|p| p.id.as_str()), Some("io.other.uuid.v2"));
    }
}
