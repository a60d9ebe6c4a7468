/**
 * Internal: reads bean classes' bytecode at deployment to find durable methods called through
 * {@code this}, which CDI never intercepts. Pure functions of classes, with no CDI imports, so the
 * deployment layer decides how to report what it finds. Not a public API: it may change in any
 * release.
 */
package io.dbosee.internal.bytecode;
