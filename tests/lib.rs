//! Integration tests of the entropic workspace live in `integration/`; this library is empty on
//! purpose so the package has a target besides its one test binary.
