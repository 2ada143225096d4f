//! Schema 1 state files, read as today's: a snapshot written by an older
//! parkctl must still restore exactly, and its operation records must still
//! list in `history`. Each service upgrades its own part
//! (`Service::upgrade_v1`, `upgrade_v1_change`).

use crate::model::Live;
use crate::services::SERVICES;
use serde_json::Value;

/// A schema 1 snapshot: `live` held one list per service
/// (`streams`, `functions`, ...); today it holds resources.
pub fn snapshot(mut v: Value) -> Result<Value, String> {
    let old = v.get("live").cloned().unwrap_or(Value::Null);
    if !old.is_object() {
        return Err("a schema 1 snapshot without `live`: damaged".into());
    }
    let live = Live {
        resources: SERVICES.iter().flat_map(|s| s.upgrade_v1(&old)).collect(),
        facts: Default::default(),
    };
    v["live"] = serde_json::to_value(live).map_err(|e| e.to_string())?;
    Ok(v)
}

/// A schema 1 operation record: each change named its resource by kind
/// (`{"kind": "stream", "name": ...}`) and carried its attribute's values.
pub fn operation(mut v: Value) -> Result<Value, String> {
    let Some(changes) = v.get_mut("changes").and_then(Value::as_array_mut) else {
        return Ok(v);
    };
    for c in changes.iter_mut() {
        *c = change(c)?;
    }
    Ok(v)
}

fn change(old: &Value) -> Result<Value, String> {
    let mut flat = old.get("resource").cloned().unwrap_or(Value::Null);
    let Some(obj) = flat.as_object_mut() else {
        return Err("a schema 1 change without its resource: damaged".into());
    };
    for k in ["from", "to", "steps", "rule"] {
        obj.insert(k.into(), old.get(k).cloned().unwrap_or(Value::Null));
    }
    let Some(new) = SERVICES.iter().find_map(|s| s.upgrade_v1_change(&flat)) else {
        return Err(format!("a schema 1 change of an unknown kind: {flat}"));
    };
    let mut out = serde_json::to_value(new).map_err(|e| e.to_string())?;
    for k in ["status", "error", "reason", "started", "duration_ms"] {
        if let Some(x) = old.get(k) {
            out[k] = x.clone();
        }
    }
    Ok(out)
}
