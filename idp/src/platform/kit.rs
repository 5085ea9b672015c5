//! What a platform's `api.rs` and `pages.rs` use of the HTTP and page layers, and nothing else:
//! a platform folder names only the seam, never `http` or `web` themselves, so its domain files
//! cannot reach them by accident and the layers keep one way of being used.

/// For a platform's JSON API: who is calling (an [`Area`] names its scopes) and strict bodies.
pub mod api {
    pub use crate::http::auth::{ApiCaller, ApiStaff, ApiWriter, Area};
    pub use crate::http::extract::{ApiJson, ClientAddress, OptionalReason, Reason};
}

/// For a platform's pages: who is on the page, the language, CSRF-checked forms, rendering.
pub mod pages {
    pub use crate::http::extract::ClientAddress;
    pub use crate::web::auth::{ConsoleStaff, PageUser};
    pub use crate::web::header::current as page_header;
    pub use crate::web::lang::Lang;
    pub use crate::web::pages::{
        CsrfOnly, PageForm, PageUpload, UploadLimit, form_token, render, safe_return_to, see_other,
    };
}
