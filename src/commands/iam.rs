//! `parkctl iam-policy`: the policy to give parkctl's role.

use crate::context::{Error, Exit, Invocation, Res};

/// The profiles named, or every profile of the profiles directory.
pub fn profiles(ctx: &Invocation, names: &[String]) -> Result<Vec<crate::profile::Profile>, Error> {
    let names: Vec<String> = if names.is_empty() {
        ctx.profile_names()
    } else {
        names.to_vec()
    };
    names.iter().map(|n| ctx.load_profile(n)).collect()
}

pub fn run(ctx: &Invocation, names: &[String]) -> Res {
    let profiles = profiles(ctx, names)?;
    let refs: Vec<&crate::profile::Profile> = profiles.iter().collect();
    let s3 = ctx
        .config
        .state_s3
        .as_deref()
        .and_then(crate::aws::s3::parse_url);
    let v = crate::iam::policy(
        &refs,
        ctx.config.aws.region.as_deref(),
        ctx.config.account.as_deref(),
        s3.as_ref().map(|(b, p)| (b.as_str(), p.as_str())),
    );
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(Exit::Ok)
}
