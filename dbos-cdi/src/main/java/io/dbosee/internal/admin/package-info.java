/**
 * Internal: the admin endpoints and the operations console, a servlet the library registers in the
 * web application under {@code dbos.admin.path}, behind the role {@code dbos.admin.role}. Not a
 * public API: it may change in any release (the HTTP paths and JSON shapes follow the DBOS SDKs').
 */
package io.dbosee.internal.admin;
