//! Compositions of the core with a plugin, made by `wac` (`make compose`): the geometry plugin
//! (`build/core_with_geo.wasm`, world `arrow:geo/core-with-geo`) and the plugin guide's example
//! (`build/core_with_uuid.wasm`, world `arrow:uuid/core-with-uuid`). Each is one component whose
//! plugin borrows the core's tables; each imports nothing.

use std::path::PathBuf;
use std::sync::OnceLock;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Result, Store};

// Generated code carries no docs of its own; the WIT is where they live.
#[allow(missing_docs)]
mod generated {
    wasmtime::component::bindgen!({
        path: ["../wit", "../wit/plugin", "../plugin-components/geo/wit"],
        world: "arrow:geo/core-with-geo",
    });
}
pub use generated::*;

/// The example plugin's composition.
#[allow(missing_docs)]
pub mod uuid {
    wasmtime::component::bindgen!({
        path: ["../wit", "../wit/plugin", "../plugin-components/uuid/wit"],
        world: "arrow:uuid/core-with-uuid",
    });
}

fn path(var: &str, file: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| crate::workspace().join("build").join(file))
}

/// Compiles a composition once per test process.
fn compiled(cell: &'static OnceLock<(Engine, Component)>, path: PathBuf) -> &'static (Engine, Component) {
    cell.get_or_init(|| {
        let engine = Engine::new(&arrow_rs_wasm_host::wasm_config()).expect("engine");
        let component = Component::from_file(&engine, &path)
            .unwrap_or_else(|e| panic!("loading {} (run `make compose` first): {e:?}", path.display()));
        (engine, component)
    })
}

/// One instance of the core composed with the geometry plugin, in its own store.
pub struct Composed {
    /// The store.
    pub store: Store<()>,
    /// The typed exports of the core and the plugin.
    pub exports: CoreWithGeo,
}

impl Composed {
    /// A fresh instance (`$ARROW_CORE_WITH_GEO_COMPONENT` or `build/core_with_geo.wasm`).
    pub fn new() -> Result<Self> {
        static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
        let (engine, component) = compiled(&COMPILED, path("ARROW_CORE_WITH_GEO_COMPONENT", "core_with_geo.wasm"));
        let mut store = Store::new(engine, ());
        let exports = CoreWithGeo::instantiate(&mut store, component, &Linker::new(engine))?;
        Ok(Self { store, exports })
    }
}

/// One instance of the core composed with the example plugin, in its own store.
pub struct ComposedUuid {
    /// The store.
    pub store: Store<()>,
    /// The typed exports of the core and the plugin.
    pub exports: uuid::CoreWithUuid,
}

impl ComposedUuid {
    /// A fresh instance (`$ARROW_CORE_WITH_UUID_COMPONENT` or `build/core_with_uuid.wasm`).
    pub fn new() -> Result<Self> {
        static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
        let (engine, component) = compiled(&COMPILED, path("ARROW_CORE_WITH_UUID_COMPONENT", "core_with_uuid.wasm"));
        let mut store = Store::new(engine, ());
        let exports = uuid::CoreWithUuid::instantiate(&mut store, component, &Linker::new(engine))?;
        Ok(Self { store, exports })
    }
}
