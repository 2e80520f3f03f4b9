//! `registry`: the plugin registry of this instance (one per instance, shared by every plugin
//! linked to it), its records converted both ways, and refusals mapped to `registry-error`.

use super::exports::arrow::core::registry as wreg;
use super::{Component, wit};
use crate::error::CoreError;
use crate::registry::{CORE_API_VERSION, ExtensionClaim, PluginInfo, Refusal, Registry};

thread_local! {
    /// The registry of this instance: every plugin linked to this core shares it.
    static REGISTRY: std::cell::RefCell<Registry> = std::cell::RefCell::new(Registry::default());
}

impl From<wreg::PluginInfo> for PluginInfo {
    fn from(i: wreg::PluginInfo) -> Self {
        PluginInfo {
            id: i.id,
            version: i.version,
            core_api: i.core_api,
            extension_types: i
                .extension_types
                .into_iter()
                .map(|c| ExtensionClaim { name: c.name, display_type: c.display_type })
                .collect(),
            description: i.description,
        }
    }
}

impl From<PluginInfo> for wreg::PluginInfo {
    fn from(i: PluginInfo) -> Self {
        wreg::PluginInfo {
            id: i.id,
            version: i.version,
            core_api: i.core_api,
            extension_types: i
                .extension_types
                .into_iter()
                .map(|c| wreg::ExtensionClaim { name: c.name, display_type: c.display_type })
                .collect(),
            description: i.description,
        }
    }
}

impl From<CoreError> for wreg::RegistryError {
    fn from(e: CoreError) -> Self {
        let refusal = match &e {
            CoreError::Plugin { refusal, .. } => match refusal {
                Refusal::MalformedId => wreg::RegistryRefusal::MalformedId,
                Refusal::MalformedVersion => wreg::RegistryRefusal::MalformedVersion,
                Refusal::IncompatibleCoreApi => wreg::RegistryRefusal::IncompatibleCoreApi,
                Refusal::DuplicateId => wreg::RegistryRefusal::DuplicateId,
                Refusal::MalformedClaim => wreg::RegistryRefusal::MalformedClaim,
                Refusal::ExtensionClaimed => wreg::RegistryRefusal::ExtensionClaimed,
                Refusal::NotRegistered => wreg::RegistryRefusal::NotRegistered,
            },
            // The registry refuses only with `Plugin`; anything else would be a bug in it.
            _ => wreg::RegistryRefusal::MalformedClaim,
        };
        wreg::RegistryError { refusal, error: e.into() }
    }
}

guarded! {
    impl wreg::Guest for Component {
        fn core_api_version() -> String {
            CORE_API_VERSION.to_string()
        }

        fn validate(info: wreg::PluginInfo) -> Result<(), wreg::RegistryError> {
            Ok(REGISTRY.with_borrow(|r| r.validate(&info.into()))?)
        }

        fn register(info: wreg::PluginInfo) -> Result<(), wreg::RegistryError> {
            Ok(REGISTRY.with_borrow_mut(|r| r.register(info.into()))?)
        }

        fn unregister(id: String) -> Result<(), wreg::RegistryError> {
            REGISTRY.with_borrow_mut(|r| r.unregister(&id))?;
            Ok(())
        }

        fn plugins() -> Vec<wreg::PluginInfo> {
            REGISTRY.with_borrow(|r| r.list().iter().cloned().map(Into::into).collect())
        }
    }
}

/// A schema's summary with the registered plugins' columns marked.
pub(crate) fn marked(schema: &arrow_schema::Schema) -> wit::SchemaSummary {
    let mut summary = crate::schema::summarize(schema);
    REGISTRY.with_borrow(|r| r.mark(&mut summary));
    summary.into()
}
