package io.dbosee.sample;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The sample's REST endpoints, at the root of its context root ({@code /}). */
@ApplicationPath("/")
public class SampleApplication extends Application {}
