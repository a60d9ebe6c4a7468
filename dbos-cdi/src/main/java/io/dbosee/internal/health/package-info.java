/**
 * Internal: the library's MicroProfile Health checks. The only classes of the jar that bean
 * discovery finds (its {@code META-INF/beans.xml} excludes every other package): a server's health
 * extension collects checks from the application's bean archives, and WildFly's does not see the
 * types the library's portable extension adds. Not a public API: it may change in any release.
 */
package io.dbosee.internal.health;
