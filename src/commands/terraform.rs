//! `parkctl terraform-hints`: the `lifecycle { ignore_changes }` blocks for
//! exactly the resource types and attributes the given profiles change, so
//! that the next `terraform apply` does not silently un-park the project.

use crate::context::{Exit, Invocation, Res};
use crate::profile::{Profile, Rule};
use crate::services::SERVICES;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn run(ctx: &Invocation, names: &[String]) -> Res {
    let names: Vec<String> = if names.is_empty() {
        ctx.profile_names()
    } else {
        names.to_vec()
    };
    let profiles = names
        .iter()
        .map(|n| ctx.load_profile(n))
        .collect::<Result<Vec<_>, _>>()?;
    print!("{}", hints(&profiles));
    Ok(Exit::Ok)
}

/// The blocks, one per Terraform resource type, in registry order.
pub fn hints(profiles: &[Profile]) -> String {
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    let mut out = format!(
        "# Terraform lifecycle hints for the profiles {} (parkctl terraform-hints).\n# Add each block to the matching resources, so that `terraform apply` leaves\n# what parkctl parks as it is. See docs/terraform.md.\n",
        names.join(", ")
    );
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    for s in SERVICES {
        let rules: Vec<&Rule> = profiles.iter().flat_map(|p| p.rules_of(s.name())).collect();
        for h in s.terraform(&rules) {
            if seen.insert(h.resource, ()).is_some() {
                continue;
            }
            let _ = writeln!(out, "\n# {}: {}", h.resource, h.note);
            if h.attributes.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "resource \"{}\" \"NAME\" {{\n  lifecycle {{\n    ignore_changes = [{}]\n  }}\n}}",
                h.resource,
                h.attributes.join(", ")
            );
        }
    }
    out
}
