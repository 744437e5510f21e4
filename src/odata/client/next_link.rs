//! Which `@odata.nextLink`s a listing follows: only links to the service root's own scheme,
//! host and port (the bearer token never goes elsewhere), never a page already read in the
//! same listing, and at most [`ClientConfig::max_pages`](super::ClientConfig::max_pages)
//! pages.

use std::collections::HashMap;

use url::Url;

/// The default bound on the pages of one listing (a million records at F&O's 10 000 per
/// page would take 100; this stops a server that never stops sending links).
pub const DEFAULT_MAX_PAGES: u64 = 100_000;

/// Why a listing stopped at an `@odata.nextLink` instead of following it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NextLinkError {
    /// The link leads to another scheme, host or port than the service root.
    #[error(
        "@odata.nextLink of {page}: expected a link on {expected} (the service root), found one to {found} ({link}); it was not followed and nothing was sent there"
    )]
    ForeignHost {
        /// The page whose answer held the link.
        page: String,
        /// The link as resolved.
        link: String,
        /// `scheme://host:port` of the service root.
        expected: String,
        /// `scheme://host:port` of the link.
        found: String,
    },
    /// The link points back to a page already read in this listing.
    #[error(
        "@odata.nextLink of {page}: it points back to page {number} of this listing ({link}); stopped instead of listing forever"
    )]
    Cycle {
        /// The page whose answer held the link.
        page: String,
        /// The link as resolved.
        link: String,
        /// The 1-based number of the page it points back to.
        number: u64,
    },
    /// The listing read the most pages it may.
    #[error(
        "@odata.nextLink of {page}: the listing already read {max} pages, the limit; the server keeps linking to more ({link})"
    )]
    TooManyPages {
        /// The page whose answer held the link.
        page: String,
        /// The link as resolved.
        link: String,
        /// The limit.
        max: u64,
    },
}

/// `scheme://host:port` of `url`, with the scheme's default port spelled out.
pub fn origin_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// The pages one listing has read, to decide whether to follow the next link.
#[derive(Debug)]
pub struct FollowedLinks {
    root_origin: String,
    max_pages: u64,
    /// Every URL read so far, with its 1-based page number.
    read: HashMap<String, u64>,
}

impl FollowedLinks {
    /// A listing under `root` that may read `max_pages` pages.
    pub fn new(root: &Url, max_pages: u64) -> Self {
        Self {
            root_origin: origin_of(root),
            max_pages,
            read: HashMap::new(),
        }
    }

    /// Records that `url` was read (as the next page number).
    pub fn read(&mut self, url: &Url) {
        let number = self.read.len() as u64 + 1;
        self.read.entry(url.to_string()).or_insert(number);
    }

    /// Whether `link`, found in the answer of `page`, may be followed.
    pub fn check(&self, page: &Url, link: &Url) -> Result<(), NextLinkError> {
        let found = origin_of(link);
        if found != self.root_origin {
            return Err(NextLinkError::ForeignHost {
                page: page.to_string(),
                link: link.to_string(),
                expected: self.root_origin.clone(),
                found,
            });
        }
        if let Some(&number) = self.read.get(link.as_str()) {
            return Err(NextLinkError::Cycle {
                page: page.to_string(),
                link: link.to_string(),
                number,
            });
        }
        if self.read.len() as u64 >= self.max_pages {
            return Err(NextLinkError::TooManyPages {
                page: page.to_string(),
                link: link.to_string(),
                max: self.max_pages,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn only_the_roots_scheme_host_and_port_are_followed() {
        let root = url("https://contoso.example/data/");
        let mut links = FollowedLinks::new(&root, 10);
        let first = url("https://contoso.example/data/Items");
        links.read(&first);
        assert!(
            links
                .check(
                    &first,
                    &url("https://contoso.example:443/data/Items?$skip=1")
                )
                .is_ok()
        );
        for foreign in [
            "https://evil.example/data/Items?$skip=1",
            "http://contoso.example/data/Items?$skip=1",
            "https://contoso.example:8443/data/Items?$skip=1",
            "https://contoso.example.evil.example/data/Items",
        ] {
            let error = links.check(&first, &url(foreign)).unwrap_err();
            assert!(
                matches!(error, NextLinkError::ForeignHost { .. }),
                "{foreign}: {error}"
            );
        }
        let message = links
            .check(&first, &url("https://evil.example/x"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "@odata.nextLink of https://contoso.example/data/Items: expected a link on https://contoso.example:443 (the service root), found one to https://evil.example:443 (https://evil.example/x); it was not followed and nothing was sent there"
        );
    }

    #[test]
    fn a_page_already_read_and_the_page_limit_stop_the_listing() {
        let root = url("http://127.0.0.1:9/data/");
        let mut links = FollowedLinks::new(&root, 3);
        let pages: Vec<Url> = (0..3)
            .map(|i| url(&format!("http://127.0.0.1:9/data/Items?$skip={i}")))
            .collect();
        links.read(&pages[0]);
        links.read(&pages[1]);
        assert_eq!(
            links.check(&pages[1], &pages[0]),
            Err(NextLinkError::Cycle {
                page: pages[1].to_string(),
                link: pages[0].to_string(),
                number: 1
            })
        );
        assert!(links.check(&pages[1], &pages[2]).is_ok());
        links.read(&pages[2]);
        let next = url("http://127.0.0.1:9/data/Items?$skip=3");
        assert!(matches!(
            links.check(&pages[2], &next),
            Err(NextLinkError::TooManyPages { max: 3, .. })
        ));
    }
}
