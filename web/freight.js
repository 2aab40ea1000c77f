/* Wheelhouse web UI: freight screens (registered with WH.screen). */
'use strict';
