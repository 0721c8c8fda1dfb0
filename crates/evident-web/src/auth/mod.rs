//! Who is asking, and whether they may: sign-in, sessions, tokens, CSRF and the policy gate.
//!
//! A request is identified in [`identity`] by its session cookie or its bearer token; a
//! handler that needs a signed-in user takes [`SignedIn`], and asks [`SignedIn::authorize`]
//! before touching data — which asks [`evident_core::access::decide`] and nothing else, and
//! writes every denial to the audit trail.
//!
//! # Layout
//! - [`identity`]: [`SignedIn`], [`Viewer`] and how they are read from a request.
//! - [`csrf`]: the double-submit CSRF token every state-changing browser request carries.
//! - [`cookies`]: reading and writing the cookies.
//! - [`address`]: the client's address, believing forwarding headers only from trusted proxies.
//!
//! Adding OpenID Connect: see docs/ARCHITECTURE.md ("Sign-in methods").

pub mod address;
pub mod cookies;
pub mod csrf;
pub mod identity;

pub use identity::{SignedIn, Viewer};
