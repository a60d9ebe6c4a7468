package io.dbosee.internal.admin;

import io.dbosee.internal.errors.ErrorCode;
import org.eclipse.microprofile.config.Config;

/**
 * The admin endpoints' configuration, read once when the web application starts.
 *
 * @param enabled {@code dbos.admin.enabled}: whether the endpoints exist at all
 * @param path {@code dbos.admin.path}: where they are, under the application's context root
 * @param role {@code dbos.admin.role}: the role a caller needs
 */
record AdminSettings(boolean enabled, String path, String role) {
  static final String ENABLED = "dbos.admin.enabled";
  static final String PATH = "dbos.admin.path";
  static final String ROLE = "dbos.admin.role";

  static AdminSettings from(Config config) {
    boolean enabled = enabled(config);
    String path = config.getOptionalValue(PATH, String.class).orElse("/dbos-admin").trim();
    String role = config.getOptionalValue(ROLE, String.class).orElse("dbos-admin").trim();
    if (!path.matches("/[A-Za-z0-9._~\\-/]*") || path.endsWith("/") || path.contains("//")) {
      throw ErrorCode.INVALID_ADMIN_PATH.illegalState(
          PATH
              + " must be a path under the context root such as /dbos-admin (a leading slash, no"
              + " trailing slash, no wildcard), got '"
              + path
              + "'. Correct it in META-INF/microprofile-config.properties or the environment"
              + " (DBOS_ADMIN_PATH).");
    }
    if (role.isEmpty()) {
      throw ErrorCode.EMPTY_ADMIN_ROLE.illegalState(
          ROLE
              + " must name the security role that may use the admin endpoints (default"
              + " dbos-admin), got an empty value. Set a role name, or switch the endpoints off"
              + " with "
              + ENABLED
              + "=false.");
    }
    return new AdminSettings(enabled, path, role);
  }

  /**
   * {@code dbos.admin.enabled}, strictly: MicroProfile Config reads any word but "true" (such as
   * "yes" or a typo) as false, which would switch the endpoints off without a word.
   */
  private static boolean enabled(Config config) {
    String raw = config.getOptionalValue(ENABLED, String.class).map(String::trim).orElse("true");
    if (raw.equalsIgnoreCase("true")) {
      return true;
    }
    if (raw.equalsIgnoreCase("false")) {
      return false;
    }
    throw ErrorCode.INVALID_CONFIG.illegalState(
        "The configuration value of "
            + ENABLED
            + " ('"
            + raw
            + "') is invalid: it must be true or false. Correct it in"
            + " META-INF/microprofile-config.properties or the environment (DBOS_ADMIN_ENABLED).");
  }
}
