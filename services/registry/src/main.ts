import 'reflect-metadata';
import { runServiceCli } from '@kkb/bootstrap';
import { registryService } from './service';

void runServiceCli(registryService);
