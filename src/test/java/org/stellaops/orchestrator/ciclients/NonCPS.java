package org.stellaops.orchestrator.ciclients;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stands in for Jenkins' {@code com.cloudbees.groovy.cps.NonCPS}, which Pipeline scripts and
 * shared libraries use without an import; outside Jenkins it has no effect.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonCPS {}
