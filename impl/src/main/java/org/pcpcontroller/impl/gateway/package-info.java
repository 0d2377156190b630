/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * The gateways as configured: one parser into typed views (defaults from the model), the registry that follows
 * both configuration trees and owns each gateway's operational state, the commit cohort and the request counters.
 */
@NonNullByDefault
package org.pcpcontroller.impl.gateway;

import org.eclipse.jdt.annotation.NonNullByDefault;
