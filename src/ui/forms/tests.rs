//! Unit tests of the forms' pure logic on a real F&O metadata document.
