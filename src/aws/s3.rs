//! S3 state mirror: snapshots and operation records are copied to S3, and
//! the apply lock is taken there with a conditional write (If-None-Match:
//! *), so two operators on two machines cannot apply at once. The
//! schedule's hold lives there too, so every runner sees the same one.

use super::AwsError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

/// The S3 client of the state mirror.
/// The state mirror's client: from `conf` when the mirror is reached with
/// other credentials than the run's AWS calls (a target's run).
pub fn client(shared: &super::Shared, conf: Option<&aws_types::SdkConfig>) -> Client {
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(conf.unwrap_or(&shared.conf))
            .interceptor(shared.log())
            .force_path_style(shared.path_style)
            .build(),
    )
}

/// `s3://bucket/prefix` -> (bucket, prefix ending in `/` or empty).
pub fn parse_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return None;
    }
    let prefix = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    Some((bucket.to_string(), prefix))
}

#[derive(Clone)]
pub struct Mirror {
    client: Client,
    pub bucket: String,
    pub prefix: String,
}

pub enum LockOutcome {
    /// Ours: the lock object's ETag, which renewing and releasing it match.
    Taken(String),
    /// Someone else holds it.
    Held(Holder),
}

/// Another holder's lock object as S3 has it.
pub struct Holder {
    pub doc: String,
    pub etag: String,
    /// When S3 last wrote it (S3's clock, not the holder's).
    pub modified: Option<chrono::DateTime<chrono::Utc>>,
}

/// S3's answer to a conditional request whose condition failed (412, or a
/// 409 when two conditional writes race), or to an If-Match on an object
/// that is gone.
fn condition_failed(err: &AwsError) -> bool {
    err.code == "PreconditionFailed"
        || err.code == "ConditionalRequestConflict"
        || err.code == "NoSuchKey"
        || err.message.contains("412")
}

impl Mirror {
    pub fn new(client: Client, url: &str) -> Result<Mirror, String> {
        let (bucket, prefix) = parse_url(url)
            .ok_or_else(|| format!("`{url}` is not an S3 URL: use s3://bucket/prefix"))?;
        Ok(Mirror {
            client,
            bucket,
            prefix,
        })
    }

    fn key(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    pub fn url(&self, rel: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(rel))
    }

    pub async fn put(&self, rel: &str, body: Vec<u8>) -> Result<(), AwsError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(rel))
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("s3", "PutObject", &self.url(rel), e))
    }

    /// Creates the lock object only if none exists: S3 answers 412 to the
    /// second writer, atomically.
    pub async fn lock(&self, body: Vec<u8>) -> Result<LockOutcome, AwsError> {
        let r = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key("lock"))
            .if_none_match("*")
            .body(ByteStream::from(body))
            .send()
            .await;
        match r {
            Ok(out) => Ok(LockOutcome::Taken(out.e_tag().unwrap_or_default().into())),
            Err(e) => {
                let err = AwsError::from_sdk("s3", "PutObject", &self.url("lock"), e);
                if condition_failed(&err) {
                    Ok(LockOutcome::Held(self.holder().await?))
                } else {
                    Err(err)
                }
            }
        }
    }

    /// Rewrites the lock object only if it is still the one with `etag`
    /// (a renewal, or the takeover of an expired lease): the new ETag, or
    /// `None` when someone else wrote or removed it meanwhile.
    pub async fn replace_lock(
        &self,
        body: Vec<u8>,
        etag: &str,
    ) -> Result<Option<String>, AwsError> {
        let r = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key("lock"))
            .if_match(etag)
            .body(ByteStream::from(body))
            .send()
            .await;
        match r {
            Ok(out) => Ok(Some(out.e_tag().unwrap_or_default().into())),
            Err(e) => {
                let err = AwsError::from_sdk("s3", "PutObject", &self.url("lock"), e);
                if condition_failed(&err) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    /// Removes the lock object only if it is still the one with `etag`: a
    /// holder that lost its lease never removes its successor's.
    pub async fn unlock_if(&self, etag: &str) -> Result<(), AwsError> {
        let r = self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key("lock"))
            .if_match(etag)
            .send()
            .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = AwsError::from_sdk("s3", "DeleteObject", &self.url("lock"), e);
                if condition_failed(&err) {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    /// The lock object with its ETag and S3's time of its last write.
    pub async fn holder(&self) -> Result<Holder, AwsError> {
        let url = self.url("lock");
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key("lock"))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("s3", "GetObject", &url, e))?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let modified = out
            .last_modified()
            .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()));
        let bytes =
            out.body.collect().await.map_err(|e| {
                AwsError::other("s3", "GetObject", &url, "ReadError", e.to_string())
            })?;
        Ok(Holder {
            doc: String::from_utf8_lossy(&bytes.into_bytes()).into_owned(),
            etag,
            modified,
        })
    }

    pub async fn read_lock(&self) -> Result<String, AwsError> {
        self.holder().await.map(|h| h.doc)
    }

    /// An object's bytes under the prefix; `None` when there is none.
    pub async fn get(&self, rel: &str) -> Result<Option<Vec<u8>>, AwsError> {
        let r = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(rel))
            .send()
            .await;
        let out = match r {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(AwsError::from_sdk("s3", "GetObject", &self.url(rel), e)),
        };
        let bytes = out.body.collect().await.map_err(|e| {
            AwsError::other(
                "s3",
                "GetObject",
                &self.url(rel),
                "ReadError",
                e.to_string(),
            )
        })?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    /// Names (relative to the prefix) of the objects under `rel`, every
    /// page followed.
    pub async fn list(&self, rel: &str) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(self.key(rel))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| AwsError::from_sdk("s3", "ListObjectsV2", &self.url(rel), e))?;
            for o in page.contents() {
                if let Some(k) = o.key().and_then(|k| k.strip_prefix(&self.prefix)) {
                    out.push(k.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Deletes an object under the prefix (no error when it is absent).
    pub async fn delete(&self, rel: &str) -> Result<(), AwsError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key(rel))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("s3", "DeleteObject", &self.url(rel), e))
    }

    pub async fn unlock(&self) -> Result<(), AwsError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key("lock"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk("s3", "DeleteObject", &self.url("lock"), e))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls() {
        assert_eq!(parse_url("s3://b/p"), Some(("b".into(), "p/".into())));
        assert_eq!(parse_url("s3://b/p/"), Some(("b".into(), "p/".into())));
        assert_eq!(parse_url("s3://b"), Some(("b".into(), String::new())));
        assert_eq!(parse_url("s3:///x"), None);
        assert_eq!(parse_url("https://b/p"), None);
    }
}
