//! The [`Host`]'s plugin registry: list, register, unregister and check plugin metadata. A
//! registration is remembered on the host as well as made in the core, because a trap replaces
//! the instance and its registry with it; the replacement replays the list. (The plugin a
//! composition carries is registered by every instance itself: see `composed.rs`.)

use crate::error::Result;
use crate::instance::Host;
use crate::{PluginInfo, RegistryError};

impl Host {
    /// The plugins registered with the core: the one a composed component carries, and any
    /// registered since with [`Host::register`].
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert!(host.plugins()?.is_empty(), "the bare core has none");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plugins(&self) -> Result<Vec<PluginInfo>> {
        self.shared.call(None, |core, store| core.arrow_core_registry().call_plugins(store).map(Ok))
    }

    /// Register a plugin's metadata with the core (see the WIT's `registry`): its columns are
    /// marked in schema summaries from now on. A refusal is [`Error::Arrow`](crate::Error::Arrow) with code
    /// `plugin`;
    /// [`Host::validate_plugin`] gives the typed [`RegistryRefusal`](crate::RegistryRefusal).
    ///
    /// ```
    /// use arrow_rs_wasm_host::{ExtensionClaim, PluginInfo};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let info = PluginInfo {
    ///     id: "org.example.uuid.v1".into(),
    ///     version: "1.0.0".into(),
    ///     core_api: "0.1.0".into(),
    ///     extension_types: vec![ExtensionClaim { name: "arrow.uuid".into(), display_type: "Uuid".into() }],
    ///     description: "UUIDs".into(),
    /// };
    /// host.register(&info)?;
    /// assert_eq!(host.plugins()?.len(), 1);
    /// assert!(host.register(&info).is_err(), "a duplicate id is refused");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register(&self, info: &PluginInfo) -> Result<()> {
        self.shared.call(None, |core, store| {
            core.arrow_core_registry().call_register(store, info).map(|r| r.map_err(|e| e.error))
        })?;
        self.shared.registered.borrow_mut().push(info.clone());
        Ok(())
    }

    /// Remove a registered plugin; its columns show their storage types again.
    ///
    /// ```
    /// # use arrow_rs_wasm_host::{ExtensionClaim, PluginInfo};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// # let claim = ExtensionClaim { name: "arrow.uuid".into(), display_type: "Uuid".into() };
    /// # let info = PluginInfo { id: "org.example.uuid.v1".into(), version: "1.0.0".into(), core_api: "0.1.0".into(), extension_types: vec![claim], description: String::new() };
    /// host.register(&info)?;
    /// host.unregister("org.example.uuid.v1")?;
    /// assert!(host.plugins()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unregister(&self, id: &str) -> Result<()> {
        self.shared.call(None, |core, store| {
            core.arrow_core_registry().call_unregister(store, id).map(|r| r.map_err(|e| e.error))
        })?;
        self.shared.registered.borrow_mut().retain(|p| p.id != id);
        Ok(())
    }

    /// Check a plugin's metadata as [`Host::register`] would, with the refusal typed.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{PluginInfo, RegistryRefusal};
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let info = PluginInfo {
    ///     id: "Not An Id".into(),
    ///     version: "1.0.0".into(),
    ///     core_api: "0.1.0".into(),
    ///     extension_types: vec![],
    ///     description: String::new(),
    /// };
    /// assert_eq!(host.validate_plugin(&info)?.unwrap_err().refusal, RegistryRefusal::MalformedId);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_plugin(&self, info: &PluginInfo) -> Result<std::result::Result<(), RegistryError>> {
        self.shared.call(None, |core, store| core.arrow_core_registry().call_validate(store, info).map(Ok))
    }
}
