//! How Application Auto Scaling names DynamoDB's resources; the rest of
//! auto scaling is shared with the other services it scales
//! (`crate::services::scaling`, `crate::aws::scaling`).

use super::INDEX;

/// `table/NAME` or `table/NAME/index/INDEX`, as Application Auto Scaling
/// names a DynamoDB resource.
pub fn resource_id(r: &crate::model::ResourceId) -> String {
    match r.name.split_once('/') {
        Some((t, i)) if r.kind == INDEX => format!("table/{t}/index/{i}"),
        _ => format!("table/{}", r.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_follow_application_auto_scaling() {
        let ix = crate::services::dynamodb::index("sessions", "by-user");
        assert_eq!(resource_id(&ix.id), "table/sessions/index/by-user");
        let t = crate::services::dynamodb::table("sessions");
        assert_eq!(resource_id(&t.id), "table/sessions");
    }
}
