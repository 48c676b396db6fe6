package enclave.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The embedded database: an H2 file in the data directory, migrated with Flyway on open. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Opens (creating if needed) the database under {@code directory} and applies pending migrations. */
    public static Database open(Path directory) {
        HikariConfig config = new HikariConfig();
        // WRITE_DELAY=0: a commit is on disk before the call returns, so kill -9 loses nothing acknowledged.
        config.setJdbcUrl("jdbc:h2:file:" + directory.resolve("enclave").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        config.setUsername("enclave");
        config.setPassword("");
        config.setMaximumPoolSize(8);
        config.setPoolName("enclave-store");
        HikariDataSource dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return new Database(dataSource);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
