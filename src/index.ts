/** The Functions entry point (package.json `main`): set up the app, then register every function. */
import { app } from '@azure/functions';

app.setup({ enableHttpStream: false });

import './functions/enrichCycle';
import './functions/escrowSweep';
import './functions/onEnrichWorker';
import './functions/onEnrichWorkerPoison';
import './functions/resyncRoute';
import './functions/workerStatusRoute';
import './functions/approveRoute';
