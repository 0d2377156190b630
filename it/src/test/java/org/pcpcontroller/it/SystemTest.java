/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A system test class: its tests are steps of one scenario, run in {@link org.junit.jupiter.api.Order} on one
 * instance, against one distribution that {@link BootedDistribution} boots for the class (unless {@link #boot()} is
 * false) and hands to any {@code @BeforeAll} or test method that takes a {@link Distribution} parameter.
 *
 * <p>What the class needs is declared here and checked before anything boots: a class whose peers are missing is
 * skipped with the reason, and the reason is logged (surefire shows a class aborted in {@code @BeforeAll} as
 * "0 tests run" and nothing else).
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(BootedDistribution.class)
@interface SystemTest {
    /**
     * Whether the class needs root (network namespaces, captures, Open vSwitch).
     */
    boolean root() default false;

    /**
     * The programs the class needs on the PATH (or in /usr/sbin); ./test.sh installs them.
     */
    String[] tools() default {};

    /**
     * Whether to boot one distribution for the class; false for a class that runs its own (the cluster).
     */
    boolean boot() default true;

    /**
     * Settings made in the configuration files the distribution ships in {@code etc/} before it boots, as pairs of file
     * name and settings ({@code {"org.pcpcontroller.ingress.udp.cfg", "clientRate=1\n"}}; the file's other settings
     * stay at their defaults, see {@link Distribution#configure}): a setting a component reads at activation is in
     * place before the first request.
     */
    String[] etc() default {};
}
