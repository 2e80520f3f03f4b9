//! The live instance of the component and its replacement after a trap. A trap leaves a wasmtime
//! instance unusable, so every call goes through [`Shared::call`], which classifies a trap
//! (memory cap, fuel, bug), builds a fresh instance from the compiled component and bumps the
//! generation that tables and streams carry. Keeping this in one place is what lets the modules
//! above make calls without knowing that instances come and go.

use std::cell::RefCell;
use std::rc::Rc;

use wasmtime::component::{Component, Linker};
use wasmtime::{Cache, CacheConfig, Engine, Store, Trap};

use crate::analytics_bindings::CoreWithAnalytics;
use crate::bindings::Core;
use crate::composed::register_composed_plugin;
use crate::config::{HostConfig, Limits, Source};
use crate::error::{Error, Result, load_error};
use crate::{ArrowError, PluginInfo};

/// One live instance; replaced wholesale after a trap.
pub(crate) struct Instance {
    pub(crate) store: Store<Limits>,
    pub(crate) core: Core,
    /// The analytics plugin's view of the same instance, when the component is a composition of
    /// the core with it.
    pub(crate) analytics: Option<CoreWithAnalytics>,
    pub(crate) generation: u64,
}

/// The interface a composition with the analytics plugin exports.
const ANALYTICS_INTERFACE: &str = "arrow:analytics/session@0.1.0";

pub(crate) struct Shared {
    engine: Engine,
    component: Component,
    linker: Linker<Limits>,
    config: HostConfig,
    pub(crate) instance: RefCell<Instance>,
    /// Plugins registered through [`Host::register`]: a replacement instance gets them again.
    pub(crate) registered: RefCell<Vec<PluginInfo>>,
}

/// The core component, loaded and instantiated, with its limits.
///
/// ```
/// use arrow_rs_wasm_host::{Host, HostConfig, ReadOptions};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(std::env::temp_dir().join("arrow-cache")))?;
/// let table = host.read(&std::fs::read("testdata/feather_v1/all_types.feather")?, &ReadOptions::default())?;
/// println!("{} rows of {} columns", table.num_rows()?, table.num_columns()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Host {
    pub(crate) shared: Rc<Shared>,
}

impl Host {
    /// Load, compile (or fetch from the cache) and instantiate the component.
    ///
    /// ```
    /// use arrow_rs_wasm_host::{Host, HostConfig};
    /// # arrow_rs_wasm_host::doctest::in_workspace();
    /// let host = Host::new(HostConfig::new("build/arrow_core.wasm").cache_dir(std::env::temp_dir().join("arrow-cache")))?;
    /// assert!(host.readable_formats()?.len() >= 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: HostConfig) -> Result<Self> {
        let mut wasm_config = crate::wasm_config();
        if config.fuel_per_call.is_some() {
            wasm_config.consume_fuel(true);
        }
        if let Some(dir) = &config.cache_dir {
            let mut cache = CacheConfig::new();
            cache.with_directory(dir);
            wasm_config.cache(Some(Cache::new(cache).map_err(load_error)?));
        }
        let engine = Engine::new(&wasm_config).map_err(load_error)?;
        let component = match &config.component {
            Source::File(path) => {
                Component::from_file(&engine, path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?
            }
            Source::Bytes(bytes) => Component::from_binary(&engine, bytes)
                .map_err(|e| Error::Load(format!("the component's bytes: {e}")))?,
        };
        // The core imports nothing: an empty linker is all it needs.
        let linker = Linker::new(&engine);
        let instance = instantiate(&engine, &component, &linker, &config, 0, &[])?;
        let instance = RefCell::new(instance);
        Ok(Self {
            shared: Rc::new(Shared { engine, component, linker, config, instance, registered: RefCell::default() }),
        })
    }

    /// The largest linear memory the current instance has had, in bytes.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// let before = host.peak_memory();
    /// let _t = host.read(&std::fs::read("testdata/parquet/row_groups.parquet")?, &Default::default())?;
    /// assert!(host.peak_memory() >= before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peak_memory(&self) -> usize {
        self.shared.instance.borrow().store.data().peak
    }

    /// How many times a trap replaced the instance.
    ///
    /// ```
    /// # let host = arrow_rs_wasm_host::doctest::host();
    /// assert_eq!(host.restarts(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restarts(&self) -> u64 {
        self.shared.instance.borrow().generation
    }

    /// Another handle on the same instance, for the streams and sinks that must keep it alive.
    pub(crate) fn clone_handle(&self) -> Host {
        Host { shared: self.shared.clone() }
    }
}

fn instantiate(
    engine: &Engine,
    component: &Component,
    linker: &Linker<Limits>,
    config: &HostConfig,
    generation: u64,
    registered: &[PluginInfo],
) -> Result<Instance> {
    let mut store = Store::new(engine, Limits { cap: config.memory_limit, ..Limits::default() });
    store.limiter(|l| l);
    // Instantiation runs the component's initialisation under the same budget as a call.
    if let Some(fuel) = config.fuel_per_call {
        store.set_fuel(fuel).map_err(load_error)?;
    }
    let instance = linker.instantiate(&mut store, component).map_err(load_error)?;
    let core = Core::new(&mut store, &instance).map_err(load_error)?;
    let analytics = match instance.get_export_index(&mut store, None, ANALYTICS_INTERFACE) {
        Some(_) => Some(CoreWithAnalytics::new(&mut store, &instance).map_err(load_error)?),
        None => None,
    };
    register_composed_plugin(&mut store, &instance, &core)?;
    for info in registered {
        // These were accepted by an instance of the same component: a refusal now is a bug.
        core.arrow_core_registry()
            .call_register(&mut store, info)
            .map_err(load_error)?
            .map_err(|e| Error::Load(format!("registering {:?} again: {}", info.id, e.error.message)))?;
    }
    Ok(Instance { store, core, analytics, generation })
}

impl Shared {
    /// Runs one call under the limits. `owner` is the generation of the table the call is on,
    /// if any. A trap is classified, the instance replaced, and the call's error returned.
    pub(crate) fn call<T>(
        &self,
        owner: Option<u64>,
        f: impl FnOnce(&Core, &mut Store<Limits>) -> wasmtime::Result<std::result::Result<T, ArrowError>>,
    ) -> Result<T> {
        self.run(owner, |inst| {
            let Instance { store, core, .. } = inst;
            f(core, store)
        })
    }

    /// Runs one call on the analytics plugin's exports, as [`Shared::call`] does on the core's.
    pub(crate) fn call_analytics<T, E: Into<Error>>(
        &self,
        owner: Option<u64>,
        f: impl FnOnce(&CoreWithAnalytics, &mut Store<Limits>) -> wasmtime::Result<std::result::Result<T, E>>,
    ) -> Result<T> {
        self.run(owner, |inst| {
            let Instance { store, analytics, .. } = inst;
            match analytics {
                Some(a) => f(a, store).map(|r| r.map_err(Into::into)),
                None => Ok(Err(Error::NoAnalytics)),
            }
        })
    }

    /// The generation of the live instance.
    pub(crate) fn generation(&self) -> u64 {
        self.instance.borrow().generation
    }

    fn run<T, E: Into<Error>>(
        &self,
        owner: Option<u64>,
        f: impl FnOnce(&mut Instance) -> wasmtime::Result<std::result::Result<T, E>>,
    ) -> Result<T> {
        let mut inst = self.instance.borrow_mut();
        if owner.is_some_and(|g| g != inst.generation) {
            return Err(Error::StaleTable);
        }
        if let Some(fuel) = self.config.fuel_per_call {
            inst.store.set_fuel(fuel).map_err(|e| Error::Trap { reason: e.to_string(), details: format!("{e:?}") })?;
        }
        inst.store.data_mut().hit = false;
        match f(&mut inst) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.into()),
            Err(trap) => {
                let error = if inst.store.data().hit {
                    Error::MemoryLimit { limit: self.config.memory_limit.unwrap_or(0) }
                } else if trap.downcast_ref::<Trap>() == Some(&Trap::OutOfFuel) {
                    Error::OutOfFuel { fuel: self.config.fuel_per_call.unwrap_or(0) }
                } else {
                    // The trap code (or the innermost cause) is the line a person reads; the
                    // backtrace goes with it for a bug report.
                    let reason =
                        trap.downcast_ref::<Trap>().map_or_else(|| trap.root_cause().to_string(), Trap::to_string);
                    Error::Trap { reason, details: format!("{trap:?}") }
                };
                let next = inst.generation + 1;
                let registered = self.registered.borrow();
                *inst = instantiate(&self.engine, &self.component, &self.linker, &self.config, next, &registered)?;
                Err(error)
            }
        }
    }

    /// Frees a resource of the component (a table, a decoder, a writer) when its value is
    /// dropped. One of a replaced instance has nothing left to free; a failing drop has no one to
    /// report to, and a trap there is handled like any other on the next call.
    pub(crate) fn drop_resource(&self, resource: wasmtime::component::ResourceAny, generation: u64) {
        if let Ok(mut inst) = self.instance.try_borrow_mut()
            && inst.generation == generation
        {
            let _ = resource.resource_drop(&mut inst.store);
        }
    }
}
