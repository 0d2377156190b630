/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * The mapping log: one line per mapping added, refreshed, removed or expired, on the logger
 * {@value org.pcpcontroller.impl.mappinglog.MappingEventLog#LOGGER}, for operators (docs/logging.md). The store
 * tells the events; this package words them.
 */
@NonNullByDefault
package org.pcpcontroller.impl.mappinglog;

import org.eclipse.jdt.annotation.NonNullByDefault;
