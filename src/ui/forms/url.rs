//! The exact request URL a form previews: service root, relative path and query string.

/// Joins a service root (with or without a trailing `/`) and a relative, already
/// percent-encoded path, then appends `query` (encoded, without `?`) when not empty.
pub fn request_url(service_root: &str, path: &str, query: &str) -> String {
    let root = service_root.trim().trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let mut url = if root.is_empty() {
        path.to_owned()
    } else {
        format!("{root}/{path}")
    };
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::request_url;

    #[test]
    fn joins_root_path_and_query() {
        assert_eq!(
            request_url("https://x.example/data/", "Sets('A')", ""),
            "https://x.example/data/Sets('A')"
        );
        assert_eq!(
            request_url("https://x.example/data", "/Sets", "$top=5"),
            "https://x.example/data/Sets?$top=5"
        );
        assert_eq!(request_url("", "Sets", "$top=5"), "Sets?$top=5");
    }
}
