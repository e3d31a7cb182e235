import 'reflect-metadata';
import { runServiceCli } from '@kkb/bootstrap';
import { surveyService } from './service';

void runServiceCli(surveyService);
