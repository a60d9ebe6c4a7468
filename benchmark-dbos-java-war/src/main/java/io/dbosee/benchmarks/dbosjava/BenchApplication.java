package io.dbosee.benchmarks.dbosjava;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The benchmark's endpoints under {@code /dbos-java/bench} (context root: ibm-web-ext.xml). */
@ApplicationPath("/bench")
public class BenchApplication extends Application {}
