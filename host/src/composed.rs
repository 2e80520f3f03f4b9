//! A `wac` composition of the core with a plugin (e.g. `build/core_with_geo.wasm`) exports the
//! plugin's interface beside the core's; this registers the plugin's `info` with the core of the
//! same instance, as a host of the two separate components would. It is a module of its own,
//! below the instance, because every instance runs it (the first and each replacement after a
//! trap), while the plugin API of [`Host`](crate::Host) (`plugins.rs`) sits above the instance.

use wasmtime::Store;

use crate::PluginInfo;
use crate::bindings::Core;
use crate::config::Limits;
use crate::error::{Error, Result, load_error};

/// The interface every plugin exports (`wit/plugin/plugin.wit`).
const PLUGIN_INTERFACE: &str = "arrow:plugin/plugin@0.1.0";

/// If the component is a composition that also exports a plugin, register the plugin's `info`
/// with the composition's core.
pub(crate) fn register_composed_plugin(
    store: &mut Store<Limits>,
    instance: &wasmtime::component::Instance,
    core: &Core,
) -> Result<()> {
    let Some(plugin) = instance.get_export_index(&mut *store, None, PLUGIN_INTERFACE) else { return Ok(()) };
    let info = instance
        .get_export_index(&mut *store, Some(&plugin), "info")
        .ok_or_else(|| Error::Load(format!("{PLUGIN_INTERFACE} exports no `info`")))?;
    let info = instance
        .get_typed_func::<(), (PluginInfo,)>(&mut *store, &info)
        .and_then(|f| f.call(&mut *store, ()))
        .map_err(|e| Error::Load(format!("the composed plugin's info: {e:#}")))?
        .0;
    core.arrow_core_registry()
        .call_register(&mut *store, &info)
        .map_err(load_error)?
        .map_err(|e| Error::Load(format!("registering the composed plugin {:?}: {}", info.id, e.error.message)))
}
