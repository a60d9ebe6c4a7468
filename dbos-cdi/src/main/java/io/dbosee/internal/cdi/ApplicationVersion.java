package io.dbosee.internal.cdi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The default application version: a digest of the bytecode of every class that declares workflows
 * or steps. The same code deployed again gets the same version (so its pending workflows are
 * recovered); changed workflow code gets a new one (so old in-flight workflows are not replayed
 * against code they were not recorded with).
 */
final class ApplicationVersion {
  private ApplicationVersion() {}

  static String of(List<Class<?>> classes) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
    classes.sort(Comparator.comparing(Class::getName));
    for (Class<?> type : classes) {
      digest.update(type.getName().getBytes(StandardCharsets.UTF_8));
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        digest.update(bytecode(c));
      }
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
  }

  private static byte[] bytecode(Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    if (loader == null) {
      return new byte[0];
    }
    try (InputStream in = loader.getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
      return in == null ? type.getName().getBytes(StandardCharsets.UTF_8) : in.readAllBytes();
    } catch (IOException e) {
      return type.getName().getBytes(StandardCharsets.UTF_8);
    }
  }
}
