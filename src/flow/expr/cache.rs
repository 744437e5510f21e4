//! Definition strings already read, kept per thread: a loop evaluates the same strings once
//! per iteration, and each is parsed only the first time.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::error::ExprError;
use super::template::{Template, classify};

/// Strings kept at most per thread; the cache starts again empty past this.
const MAX_ENTRIES: usize = 4096;
/// Bytes of kept strings at most per thread (long texts are parsed again rather than kept).
const MAX_BYTES: usize = 4 << 20;

#[derive(Default)]
struct Cache {
    templates: HashMap<Box<str>, Rc<Template>>,
    bytes: usize,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// How `text` reads (see [`classify`]), parsed once per thread. Errors are not kept: they
/// are rare and carry their own message.
pub(crate) fn template(text: &str) -> Result<Rc<Template>, ExprError> {
    if let Some(found) = CACHE.with_borrow(|cache| cache.templates.get(text).cloned()) {
        return Ok(found);
    }
    let parsed = Rc::new(classify(text)?);
    CACHE.with_borrow_mut(|cache| {
        if cache.templates.len() >= MAX_ENTRIES || cache.bytes + text.len() > MAX_BYTES {
            cache.templates.clear();
            cache.bytes = 0;
        }
        if text.len() <= MAX_BYTES {
            cache.bytes += text.len();
            cache.templates.insert(text.into(), Rc::clone(&parsed));
        }
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_parsed_once_and_errors_are_not_kept() {
        let first = template("@add(1, 2)").unwrap();
        let second = template("@add(1, 2)").unwrap();
        assert!(Rc::ptr_eq(&first, &second));
        assert!(template("@add(1,").is_err());
        assert!(template("@add(1,").is_err());
    }

    #[test]
    fn the_cache_starts_again_when_full() {
        for i in 0..MAX_ENTRIES + 10 {
            template(&format!("@add({i}, 1)")).unwrap();
        }
        let size = CACHE.with_borrow(|cache| cache.templates.len());
        assert!(size <= MAX_ENTRIES);
    }
}
