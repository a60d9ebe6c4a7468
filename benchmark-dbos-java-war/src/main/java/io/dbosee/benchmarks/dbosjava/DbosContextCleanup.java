package io.dbosee.benchmarks.dbosjava;

import dev.dbos.transact.context.DBOSContextHolder;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import java.io.IOException;

/**
 * Removes DBOS Java's per-thread context from the server's request thread when the request ends.
 * The SDK keeps it in a ThreadLocal that it fills on first use and never removes; on a pooled
 * server thread that value (a class of this WAR) outlives the application and keeps its class
 * loader, and with it the PostgreSQL driver's cleaner thread, alive after an undeploy.
 */
@WebFilter("/*")
public class DbosContextCleanup implements Filter {
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    try {
      chain.doFilter(request, response);
    } finally {
      DBOSContextHolder.clear();
    }
  }
}
