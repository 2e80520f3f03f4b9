// jco's bindings throw a ComponentError whose `payload` is the WIT `arrow-error`; here is the one
// place that turns such a throw into a `{ ok, value } | { ok, error }` value. (The typed façade of
// a later release replaces it.)
export function attempt(call) {
  return Promise.resolve()
    .then(call)
    .then(
      (value) => ({ ok: true, value }),
      (thrown) => ({ ok: false, error: thrown?.payload ?? { code: 'internal', message: String(thrown) } }),
    );
}
