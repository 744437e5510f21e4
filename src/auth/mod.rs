//! Sign-in: bearer-token providers for OData requests (Entra ID OAuth 2.0 flows and the
//! keyring token store land with the sign-in issue).

mod token;

pub use token::{BearerToken, StaticTokenProvider, TokenError, TokenProvider};
