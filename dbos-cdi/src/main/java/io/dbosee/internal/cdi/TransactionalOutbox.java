package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.CallerTransactions;
import io.dbosee.internal.engine.db.DatabaseIdentity;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * The transactional outbox on JTA: a workflow started or enqueued, or a message sent, from outside
 * a workflow inside the caller's JTA transaction is written through the transactional DataSource
 * {@code dbos.outbox.datasource} names, which reaches the system database, so that it commits or
 * rolls back with the caller's work; it is dispatched by a synchronization after the commit. With
 * no such DataSource, such a call is refused (unless {@code dbos.outbox.mode=separate}) rather than
 * silently committed apart from the transaction it was made in.
 */
final class TransactionalOutbox {
  private TransactionalOutbox() {}

  /**
   * What the engine joins for {@code settings}: nothing when calls commit on their own (the
   * opt-out, or no JTA in the server and no outbox DataSource configured).
   *
   * @throws IllegalStateException (DBOS-CDI-098) when the outbox DataSource, or JTA, is not bound
   */
  static CallerTransactions of(GlobalSettings settings) {
    if (settings.outboxSeparate) {
      return CallerTransactions.NONE;
    }
    boolean jta =
        DBOSExtension.present("jakarta.transaction.TransactionSynchronizationRegistry")
            && Jta.available();
    if (!jta) {
      if (settings.outboxDatasource.isPresent()) {
        throw ErrorCode.OUTBOX_DATASOURCE_NOT_BOUND.illegalState(
            GlobalSettings.OUTBOX_DATASOURCE
                + " is set, but the server has no JTA transaction manager"
                + " (java:comp/TransactionSynchronizationRegistry is not bound), so no caller ever"
                + " runs in a transaction to commit with. Enable a feature that brings JTA (Open"
                + " Liberty: jdbc-4.3 or persistence-3.1), or remove the key.");
      }
      return CallerTransactions.NONE;
    }
    return Jta.transactions(settings);
  }

  /**
   * Checks, once the system schema is migrated, that the outbox DataSource reaches the system
   * database (the same PostgreSQL database, where the system schema is visible) and that its
   * connections take part in JTA transactions.
   *
   * @throws IllegalStateException (DBOS-CDI-099) when it reaches another database, cannot, or would
   *     commit apart from the caller's transaction
   */
  static void requireSystemDatabase(GlobalSettings settings, DataSource system) {
    if (settings.outboxSeparate || settings.outboxDatasource.isEmpty()) {
      return;
    }
    String jndiName = settings.outboxDatasource.get();
    DatabaseIdentity outbox;
    DatabaseIdentity systemIdentity;
    try (Connection c = lookup(jndiName).getConnection()) {
      outbox = DatabaseIdentity.of(c, settings.schema);
    } catch (SQLException e) {
      throw elsewhere(jndiName, "it could not be used (" + e.getMessage() + ")", e);
    }
    try (Connection c = system.getConnection()) {
      systemIdentity = DatabaseIdentity.of(c, settings.schema);
    } catch (SQLException e) {
      throw ErrorCode.STARTUP_FAILED.illegalState(
          "DBOS could not read the system database's identity: " + e.getMessage(), e);
    }
    if (!outbox.sameDatabase(systemIdentity)) {
      throw elsewhere(
          jndiName,
          "it reaches the "
              + outbox
              + ", while the system database (schema '"
              + settings.schema
              + "') is the "
              + systemIdentity,
          null);
    }
    if (!outbox.systemSchemaVisible()) {
      throw elsewhere(
          jndiName,
          "it reaches the system database's "
              + outbox
              + ", but its user does not see the system schema '"
              + settings.schema
              + "' there (no USAGE right on the schema?)",
          null);
    }
    // Set only where JTA is (of() refused the key otherwise).
    Jta.requireEnlisted(jndiName, lookup(jndiName));
  }

  private static IllegalStateException elsewhere(String jndiName, String why, Throwable cause) {
    return ErrorCode.OUTBOX_DATASOURCE_ELSEWHERE.illegalState(
        "The outbox DataSource "
            + GlobalSettings.OUTBOX_DATASOURCE
            + "="
            + jndiName
            + " cannot carry starts, enqueues and sends into the system database: "
            + why
            + ". Name a transactional DataSource of the PostgreSQL database that holds the system"
            + " schema (usually the one your persistence unit uses, with the system schema in the"
            + " application's database), or set "
            + GlobalSettings.OUTBOX_MODE
            + "=separate to let such calls commit on their own.",
        cause);
  }

  private static DataSource lookup(String jndiName) {
    try {
      return (DataSource) new InitialContext().lookup(jndiName);
    } catch (NamingException | ClassCastException e) {
      throw ErrorCode.OUTBOX_DATASOURCE_NOT_BOUND.illegalState(
          "No DataSource is bound at "
              + jndiName
              + " ("
              + GlobalSettings.OUTBOX_DATASOURCE
              + "): "
              + e.getMessage()
              + ". Set it to the JNDI name of a transactional DataSource defined in server.xml"
              + " that reaches the system database, such as jdbc/app.",
          e);
    }
  }

  /** Loaded only where the JTA API is visible. */
  private static final class Jta {
    static final String USER_TRANSACTION = "java:comp/UserTransaction";

    static boolean available() {
      return registry() != null;
    }

    static TransactionSynchronizationRegistry registry() {
      try {
        return (TransactionSynchronizationRegistry)
            new InitialContext().lookup(CallerTransaction.REGISTRY);
      } catch (NamingException | ClassCastException | LinkageError e) {
        return null;
      }
    }

    /**
     * Whether the DataSource's connections join a JTA transaction, tried in one: two statements run
     * in one PostgreSQL transaction only if the connection is enlisted. (A connection's {@code
     * getAutoCommit()} cannot tell: Open Liberty's handles answer {@code true} inside a global
     * transaction until the handle itself has been used.)
     *
     * @throws IllegalStateException (DBOS-CDI-099) when they commit on their own
     */
    static void requireEnlisted(String jndiName, DataSource dataSource) {
      UserTransaction transaction;
      try {
        transaction = (UserTransaction) new InitialContext().lookup(USER_TRANSACTION);
      } catch (NamingException | ClassCastException e) {
        throw ErrorCode.STARTUP_FAILED.illegalState(
            "DBOS could not check that "
                + GlobalSettings.OUTBOX_DATASOURCE
                + "="
                + jndiName
                + " takes part in JTA transactions: "
                + USER_TRANSACTION
                + " is not bound ("
                + e.getMessage()
                + ").",
            e);
      }
      boolean enlisted;
      try {
        transaction.begin();
        try (Connection c = dataSource.getConnection();
            Statement s = c.createStatement()) {
          enlisted = transactionId(s) == transactionId(s);
        } finally {
          transaction.rollback();
        }
      } catch (Exception e) {
        throw elsewhere(jndiName, "it could not be used in a JTA transaction (" + e + ")", e);
      }
      if (!enlisted) {
        throw elsewhere(
            jndiName,
            "its connections do not take part in JTA transactions (is it declared"
                + " transactional=\"false\"?), so a write through it would commit at once, apart"
                + " from the caller's transaction",
            null);
      }
    }

    private static long transactionId(Statement s) throws SQLException {
      try (ResultSet rs = s.executeQuery("SELECT txid_current()")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    static CallerTransactions transactions(GlobalSettings settings) {
      TransactionSynchronizationRegistry registry = registry();
      DataSource dataSource =
          settings.outboxDatasource.map(TransactionalOutbox::lookup).orElse(null);
      return what -> {
        int status = registry.getTransactionStatus();
        if (status == Status.STATUS_NO_TRANSACTION) {
          return null;
        }
        if (dataSource == null) {
          throw ErrorCode.OUTBOX_NOT_CONFIGURED.illegalState(
              "The "
                  + what
                  + " was called inside a JTA transaction, and would commit at once on its own,"
                  + " even if that transaction rolls back: no DataSource is named through which it"
                  + " can commit with it. Set "
                  + GlobalSettings.OUTBOX_DATASOURCE
                  + " to the JNDI name of a transactional DataSource of the PostgreSQL database"
                  + " that holds the system schema (usually your persistence unit's, such as"
                  + " jdbc/app), or set "
                  + GlobalSettings.OUTBOX_MODE
                  + "=separate to let such calls commit on their own, as before. Nothing was"
                  + " started or sent.");
        }
        if (status != Status.STATUS_ACTIVE) {
          throw ErrorCode.OUTBOX_NOT_CONFIGURED.illegalState(
              "The "
                  + what
                  + " was called inside a JTA transaction that is no longer active (status "
                  + status
                  + ", such as marked for rollback), which it cannot join; nothing was started or"
                  + " sent. Call it in an active transaction, or after this one ends.");
        }
        return new Joined(registry, dataSource);
      };
    }
  }

  /** The caller's active JTA transaction, as the engine joins it. */
  private record Joined(TransactionSynchronizationRegistry registry, DataSource dataSource)
      implements CallerTransactions.Transaction {

    @Override
    public Connection connection() throws SQLException {
      // That it joins the transaction was checked at start (Jta.requireEnlisted); its
      // getAutoCommit() would not tell here.
      return dataSource.getConnection();
    }

    @Override
    public void onCompletion(CallerTransactions.Completion listener) {
      registry.registerInterposedSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
              listener.completed(status == Status.STATUS_COMMITTED);
            }
          });
    }
  }
}
