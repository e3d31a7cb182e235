import 'reflect-metadata';
import { runServiceCli } from '@kkb/bootstrap';
import { notificationsService } from './service';

void runServiceCli(notificationsService);
