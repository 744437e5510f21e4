//! Mini-flows: the flow model, expressions and the runner (built by the flows issues; the
//! OData engine and the demo instance are its foundation).
