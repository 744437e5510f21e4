//! What differs between kinds of OData services, decided in one place by the
//! [`ServiceKind`] instead of special cases scattered through the client.
//!
//! Differences every server may show (relative `@odata.nextLink`, decimals as JSON numbers
//! or strings, keys and ETags added to `$select` results, `details[]`/`target` in error
//! bodies, 428 without `If-Match`) are handled for all kinds alike; see `docs/INTEROP.md`.

use crate::odata::client::BatchFormat;
use crate::odata::service_root::ServiceKind;

/// How request URLs are written inside a multipart `$batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchUrlStyle {
    /// Absolute URLs (`POST https://host/data/Customers HTTP/1.1`), as the F&O and
    /// Dataverse documentation writes them.
    Absolute,
    /// Relative to the service root (`POST Customers HTTP/1.1`): the form every OData v4
    /// server must accept, and the only one SAP CAP accepts.
    RelativeToRoot,
}

/// The behaviour of one kind of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// How URLs are written inside a multipart `$batch`.
    pub batch_urls: BatchUrlStyle,
    /// The `$batch` format to use when the caller has no preference.
    pub batch_format: BatchFormat,
    /// Whether the F&O `cross-company=true` query option means anything.
    pub cross_company: bool,
}

impl ServiceKind {
    /// The behaviour of this kind of service.
    pub fn dialect(self) -> Dialect {
        match self {
            Self::FinanceOperations => Dialect {
                batch_urls: BatchUrlStyle::Absolute,
                batch_format: BatchFormat::Multipart,
                cross_company: true,
            },
            // Business Central's API pages accept (and document) JSON batch.
            Self::BusinessCentral => Dialect {
                batch_urls: BatchUrlStyle::RelativeToRoot,
                batch_format: BatchFormat::Json,
                cross_company: false,
            },
            // Dataverse accepts multipart only.
            Self::Dataverse => Dialect {
                batch_urls: BatchUrlStyle::Absolute,
                batch_format: BatchFormat::Multipart,
                cross_company: false,
            },
            // OData 4.0 services: multipart is the format all of them know; relative URLs
            // are the form every one must accept.
            Self::GenericOData => Dialect {
                batch_urls: BatchUrlStyle::RelativeToRoot,
                batch_format: BatchFormat::Multipart,
                cross_company: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_urls_and_cross_company_per_kind() {
        for kind in ServiceKind::ALL {
            let dialect = kind.dialect();
            let fno = kind == ServiceKind::FinanceOperations;
            let absolute = fno || kind == ServiceKind::Dataverse;
            assert_eq!(
                dialect.batch_urls == BatchUrlStyle::Absolute,
                absolute,
                "{kind:?}"
            );
            assert_eq!(dialect.cross_company, fno, "{kind:?}");
        }
        assert_eq!(
            ServiceKind::BusinessCentral.dialect().batch_format,
            BatchFormat::Json
        );
        assert_eq!(
            ServiceKind::GenericOData.dialect().batch_format,
            BatchFormat::Multipart
        );
    }
}
