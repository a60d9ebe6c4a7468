package io.dbosee.internal.admin;

import jakarta.servlet.HttpConstraintElement;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletSecurityElement;
import jakarta.servlet.annotation.ServletSecurity.TransportGuarantee;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Registers the admin servlet when the web application starts, at {@code dbos.admin.path},
 * constrained to {@code dbos.admin.role}: the container authenticates the caller (401 without
 * credentials) and checks the role (403 without it) before the servlet runs.
 *
 * <p>A servlet rather than JAX-RS resources: a resource class in a library jar would also be picked
 * up, at the application's own path, by every application whose {@code Application} scans for
 * resources, and its path and role could not come from configuration.
 */
public class AdminInitializer implements ServletContainerInitializer {
  private static final Logger LOG = Logger.getLogger(AdminInitializer.class.getName());

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    AdminSettings settings =
        AdminSettings.from(
            ConfigProvider.getConfig(Thread.currentThread().getContextClassLoader()));
    if (!settings.enabled()) {
      LOG.log(
          Level.INFO,
          "The DBOS admin endpoints are switched off ({0}=false).",
          AdminSettings.ENABLED);
      return;
    }
    context.declareRoles(settings.role());
    ServletRegistration.Dynamic admin =
        context.addServlet("dbos-admin", new AdminServlet(settings.role()));
    admin.addMapping(settings.path() + "/*");
    admin.setServletSecurity(
        new ServletSecurityElement(
            new HttpConstraintElement(TransportGuarantee.NONE, settings.role())));
    LOG.log(
        Level.INFO,
        "DBOS admin endpoints and dashboard at {0}{1}/ for role {2}",
        new Object[] {
          context.getContextPath().replaceAll("/$", ""), settings.path(), settings.role()
        });
  }
}
