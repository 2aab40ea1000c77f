/* Wheelhouse web UI: myday screens (registered with WH.screen). */
'use strict';
