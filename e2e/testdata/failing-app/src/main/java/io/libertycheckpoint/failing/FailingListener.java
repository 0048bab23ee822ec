package io.libertycheckpoint.failing;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/** Fails the application's start-up, as an application whose database is unreachable would. */
@WebListener
public class FailingListener implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        throw new IllegalStateException("liberty-checkpoint test: this application refuses to start");
    }
}
