package io.dbosee.benchmarks.war;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The benchmark's endpoints, at {@code /dbosee/bench/...} (the context root is ibm-web-ext.xml's).
 */
@ApplicationPath("/bench")
public class BenchApplication extends Application {}
